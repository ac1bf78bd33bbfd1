"""The email outbox (DESIGN.md section 8): one row per email, written in the transaction of
the change that causes it, sent by a Celery task after commit, re-queued by a sweep."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications_app.kinds import Category


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


class TrackingStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    REJECTED = "rejected", _("Rejected")
    COMPLAINED = "complained", _("Complained (marked as spam)")


class OutboundEmail(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="outbound_emails",
    )
    recipient_email = models.EmailField(_("recipient email"), max_length=254)
    kind = models.CharField(_("kind"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    language = models.CharField(_("language"), max_length=8)
    cause = models.CharField(_("cause"), max_length=255)
    context = models.JSONField(_("context"), default=dict, blank=True)
    # sha256 of (cause, recipient, kind): the same cause never mails the same person twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    suppressed_reason = models.TextField(_("reason for suppression"), blank=True)
    provider_message_id = models.CharField(_("provider message ID"), max_length=255, blank=True)
    tracking_status = models.CharField(
        _("delivery tracking"), max_length=16, choices=TrackingStatus.choices, blank=True
    )
    tracking_detail = models.TextField(_("delivery tracking detail"), blank=True)
    tracked_at = models.DateTimeField(_("tracked at"), null=True, blank=True)
    # A mandatory email (e.g. a policy notice, P19/P25) that bounced or was rejected: staff
    # must reach the user another way.
    needs_staff_attention = models.BooleanField(_("needs staff attention"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set just before a batch call to the provider: a row still `sending` with this set was
    # perhaps sent (the worker died before the answer was recorded), so it is never sent again
    # by itself (services.outbox.outbox_sweep); the provider's tracking events settle it.
    submitted_at = models.DateTimeField(_("handed to the provider at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at", "-id"]
        # Every email writes a row, so every index is paid on each insert: only the lookups
        # that need one have one, partial where most rows would never match (no `_like`
        # pattern indexes: nothing searches these columns by prefix).
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="notif_outbox_idempotency_uniq"),
        ]
        indexes = [
            # The sweep looks only at unsent rows; keep its cost proportional to them.
            models.Index(
                fields=["status", "next_attempt_at"], name="notif_outbox_pending_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            # delivery webhooks find the row by the provider's message id
            models.Index(fields=["provider_message_id"], name="notif_outbox_provider_id_idx",
                         condition=~models.Q(provider_message_id="")),
            models.Index(fields=["needs_staff_attention"], name="notif_outbox_attention_idx",
                         condition=models.Q(needs_staff_attention=True)),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_email} ({self.get_status_display()})"

    @property
    def is_marketing(self) -> bool:
        return self.category == Category.MARKETING
