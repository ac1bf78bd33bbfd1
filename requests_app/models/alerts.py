"""DeadlineAlert: the evidence that the deadline engine acted, once per request and kind."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel


class DeadlineAlert(AppendOnlyModel):
    """One reminder, escalation, warning or expiry the sweep handled for a request.

    Unique per (request, kind): repeated or concurrent sweeps, two beats, or a crash between
    claim and send can never produce a second one. `skipped` marks an alert that a catch-up
    sweep superseded by a later one of the same series (recorded, not sent).
    """

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Superseded by a later alert")
        NOT_NEEDED = "not_needed", _("Not needed")
        DATA_ERROR = "data_error", _("Deadline data missing")

    request = models.ForeignKey("requests_app.DataSubjectRequest", on_delete=models.PROTECT,
                                related_name="alerts", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=40)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        app_label = "requests_app"
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="deadline_alert_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} ({self.outcome})"
