"""Automation of verified requests (issue 25; RULES.md P21): the rules privacy officers edit, the
pause switch, the record of each request automation looked at, staff flags and the review queue.

The request itself changes only through requests_app's services; these rows say which rule
decided what, and when a cooling-off deletion runs (`AutomationRun.run_at`: a deadline is a
row, claimed by the beat sweep).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel

# P21: the account fields a user can change on the settings page (accounts_app ProfileForm):
# a correction of only these needs no judgement. The email address is changed through its own
# confirmation step, so correcting it goes to a person.
SELF_SERVICE_FIELDS = ("username", "first_name", "last_name", "language")


def default_self_service_fields() -> list[str]:
    return list(SELF_SERVICE_FIELDS)


class Mode(models.TextChoices):
    MANUAL = "manual", _("To a person")
    AUTOMATIC = "automatic", _("Automatic")
    COOLING_OFF = "cooling_off", _("Automatic after a cooling-off period")


class AutomationRule(models.Model):
    """For one request type and channel: whether a verified request is handled automatically,
    and the conditions that send it to a person instead."""

    request_type = models.CharField(_("request type"), max_length=20)
    channel = models.CharField(_("channel"), max_length=20)
    mode = models.CharField(_("handling"), max_length=20, choices=Mode.choices,
                            default=Mode.MANUAL)
    cooling_off_hours = models.PositiveSmallIntegerField(
        _("cooling-off period (hours)"), null=True, blank=True,
        help_text=_("Empty: the default period (AUTOMATION_DELETION_COOLING_OFF_HOURS)."))
    person_if_legal_hold = models.BooleanField(
        _("to a person if the subject's data is under a legal hold"), default=True)
    person_if_open_incident = models.BooleanField(
        _("to a person if an open incident involves the subject"), default=True)
    person_if_not_self_service = models.BooleanField(
        _("to a person if a correction names a field users cannot change themselves"),
        default=True)
    self_service_fields = models.JSONField(
        _("self-service fields"), default=default_self_service_fields, blank=True,
        help_text=_("The fields a correction may name and still be handled automatically."))
    person_if_payment_in_use = models.BooleanField(
        _("to a person if a deletion's account has a payment reference still in use"),
        default=True)
    frequency_max_requests = models.PositiveSmallIntegerField(
        _("to a person after this many requests"), null=True, blank=True, default=3,
        help_text=_("More than this many requests from the same subject in the period below "
                    "go to a person. Empty: no limit."))
    frequency_days = models.PositiveSmallIntegerField(_("period (days)"), default=30)
    person_if_agent = models.BooleanField(
        _("to a person if an agent or representative filed it"), default=True)
    person_if_flagged = models.BooleanField(_("to a person if staff flagged it"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["request_type", "channel"]
        constraints = [models.UniqueConstraint(fields=["request_type", "channel"],
                                               name="automation_rule_per_type_channel")]

    def __str__(self) -> str:
        from automation_app.labels import channel_label, type_label

        return f"{type_label(self.request_type)} / {channel_label(self.channel)}"

    @property
    def is_automatic(self) -> bool:
        return self.mode in (Mode.AUTOMATIC, Mode.COOLING_OFF)


class AutomationControl(models.Model):
    """The one switch (row pk=1, created by the migration): pause all automation at once, and
    sample every Nth automatically handled request for review."""

    paused = models.BooleanField(_("automation paused"), default=False)
    paused_reason = models.CharField(_("reason"), max_length=500, blank=True)
    sample_every = models.PositiveSmallIntegerField(
        _("review every Nth automatic request"), default=10,
        help_text=_("0: no sampling."))
    handled_count = models.PositiveIntegerField(_("requests handled automatically"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("automation switch")
        verbose_name_plural = _("automation switch")

    def __str__(self) -> str:
        return str(_("Automation paused") if self.paused else _("Automation running"))


class ChangeKind(models.TextChoices):
    RULE = "rule", _("Rule")
    CONTROL = "control", _("Switch")
    FLAG = "flag", _("Flag")
    RUN = "run", _("Automatic handling")


class AutomationChange(AppendOnlyModel):
    """Append-only log of every change staff make to automation: who, when, before and after."""

    kind = models.CharField(_("what"), max_length=20, choices=ChangeKind.choices)
    object_id = models.CharField(_("object"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("changed by"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("automation change")
        verbose_name_plural = _("automation change log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be handled")
    COOLING_OFF = "cooling_off", _("Cooling-off period")
    HANDLED = "handled", _("Handled automatically")
    TO_PERSON = "to_person", _("Sent to a person")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Reopened for a person")


class AutomationRun(models.Model):
    """What automation did with one request: the rule that applied, why it did not handle it
    (reasons), or when it handled it. `run_at` is when the sweep may claim it (NULL: done)."""

    request = models.OneToOneField("requests_app.DataSubjectRequest", on_delete=models.CASCADE,
                                   related_name="automation_run", verbose_name=_("request"))
    rule = models.ForeignKey(AutomationRule, null=True, on_delete=models.SET_NULL,
                             related_name="runs", verbose_name=_("rule"))
    rule_snapshot = models.JSONField(_("rule when it fired"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices,
                              default=RunStatus.PENDING)
    run_at = models.DateTimeField(_("runs at"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    ordinal = models.PositiveIntegerField(_("number"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("automatic handling")
        verbose_name_plural = _("automatically handled requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["run_at"], name="automation_run_due_partial",
                                condition=Q(run_at__isnull=False))]

    def __str__(self) -> str:
        return f"{self.request} {self.get_status_display()}"


class StaffFlag(models.Model):
    """Staff want a person to handle this subject's requests (or one request) until lifted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="automation_flags", verbose_name=_("subject"))
    request = models.ForeignKey("requests_app.DataSubjectRequest", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="automation_flags",
                                verbose_name=_("only this request"))
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("placed by"))
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff flag")
        verbose_name_plural = _("staff flags")
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return self.reason


class ReviewItem(models.Model):
    """A sampled automatic handling waiting for a person to look at it."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Correct")
        REOPENED = "reopened", _("Reopened")

    run = models.OneToOneField(AutomationRun, on_delete=models.CASCADE, related_name="review",
                               verbose_name=_("automatic handling"))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("reviewed by"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review queue")
        ordering = ["reviewed_at", "created_at"]

    def __str__(self) -> str:
        return str(self.run.request)
