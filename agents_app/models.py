"""Authorized agents and their Data Rights Protocol requests (issue 23).

Section numbers refer to the DRP specification (`data-rights-protocol.md`): 2.05 pairwise key
setup, 3.02 request statuses, 3.03 the status object, 3.05.1 the agent directory entry,
3.07 message validation.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel


class Agent(models.Model):
    """An authorized agent of the DRP directory (3.05.1); `verify_key` is its Ed25519 public
    key, base64 as the directory gives it. Changed only through agents_app.services."""

    agent_id = models.CharField(_("agent id"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    verify_key = models.CharField(_("verify key (base64)"), max_length=64)
    web_url = models.URLField(_("web site"), blank=True)
    identity_assurance_url = models.URLField(_("identity assurance document"), blank=True)
    technical_contact = models.CharField(_("technical contact"), max_length=254, blank=True)
    business_contact = models.CharField(_("business contact"), max_length=254, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("authorized agent")
        verbose_name_plural = _("authorized agents")
        ordering = ["agent_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agent_id})"


class AgentChange(AppendOnlyModel):
    """Append-only log of every change to the registry: who, what, before and after."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="changes",
                              verbose_name=_("agent"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=20)  # create / update / import
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("agent registry change")
        verbose_name_plural = _("agent registry changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.action}"


class AgentToken(models.Model):
    """A pairwise Bearer token (2.05); only its SHA-256 digest is stored."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent token")
        verbose_name_plural = _("agent tokens")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.created_at:%Y-%m-%d %H:%M}"


class SignedMessage(models.Model):
    """Each accepted signed message, by digest, until it expires: a replay is refused (3.07)."""

    digest = models.CharField(max_length=64, unique=True)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.digest


class DrpState(models.TextChoices):
    """DRP 3.02 request states."""

    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    FULFILLED = "fulfilled", _("fulfilled")
    REVOKED = "revoked", _("revoked")
    DENIED = "denied", _("denied")
    EXPIRED = "expired", _("expired")


FINAL_STATES = (DrpState.FULFILLED, DrpState.REVOKED, DrpState.DENIED, DrpState.EXPIRED)


class DrpRequest(models.Model):
    """One Data Rights Exercise (2.01). Requests of the 30-day lifecycle (access, deletion)
    point to their DataSubjectRequest and take their status from it; the others (sale:opt-out,
    refused ones) keep their own `state`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # request_id
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="requests",
                              verbose_name=_("agent"))
    request = models.OneToOneField("requests_app.DataSubjectRequest", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="drp",
                                   verbose_name=_("data-subject request"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("matched account"))
    exercise = models.CharField(_("exercise"), max_length=40)
    regime = models.CharField(_("regime"), max_length=40, blank=True)
    relationships = models.JSONField(_("relationships"), default=list, blank=True)
    status_callback = models.URLField(_("status callback"), max_length=500, blank=True)
    agent_request_id = models.CharField(_("agent request id"), max_length=200, blank=True)
    drp_version = models.CharField(_("DRP version"), max_length=20, blank=True)
    language = models.CharField(_("language of processing details"), max_length=8, default="en")
    claims = models.JSONField(_("identity claims"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=DrpState.choices,
                             default=DrpState.OPEN)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    processing_details = models.TextField(_("processing details"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    expected_by = models.DateTimeField(_("expected by"), null=True, blank=True)
    redirect_to = models.URLField(_("return address after verification"), max_length=500,
                                  blank=True)
    # What the agent was last told (the sweep compares, and calls back on a difference).
    last_status = models.JSONField(default=dict, blank=True)
    final = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("DRP request")
        verbose_name_plural = _("DRP requests")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["received_at"], name="drp_open_partial",
                                condition=Q(final=False))]
        constraints = [
            models.UniqueConstraint(fields=["agent", "agent_request_id"],
                                    condition=~Q(agent_request_id=""),
                                    name="drp_agent_request_id_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.agent.agent_id} {self.exercise} {self.id}"


class CallbackState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    SUPERSEDED = "superseded", _("superseded by a newer status")
    ABANDONED = "abandoned", _("abandoned")


class StatusCallback(models.Model):
    """One status object to POST to the agent's `status_callback` (2.03), retried with
    backoff by the sweep until the agent answers 200."""

    drp_request = models.ForeignKey(DrpRequest, on_delete=models.CASCADE,
                                    related_name="callbacks", verbose_name=_("DRP request"))
    payload = models.JSONField(_("status object"))
    state = models.CharField(_("state"), max_length=20, choices=CallbackState.choices,
                             default=CallbackState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("status callback")
        verbose_name_plural = _("status callbacks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="drp_callback_due_partial",
                                condition=Q(state="pending"))]

    def __str__(self) -> str:
        return f"{self.drp_request_id} {self.payload.get('status')} {self.state}"


class CallbackAttempt(AppendOnlyModel):
    """Append-only record of each delivery attempt: when, the HTTP status or the error."""

    callback = models.ForeignKey(StatusCallback, on_delete=models.CASCADE,
                                 related_name="attempt_log", verbose_name=_("callback"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    http_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.http_status or self.error}"
