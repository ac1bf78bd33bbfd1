"""The incident register (issue 22; APPI-26: APPI Art. 26, PPC rules Arts. 7 and 8; RULES P18).

An incident (漏えい等) is recorded with when it was learned of, what happened, the data involved
and the people affected; the two reports to the Personal Information Protection Commission are
`IncidentReport` rows filled in progressively; every change is an `IncidentEvent` and every
deadline alert an `IncidentAlert`, both append-only like the request timeline.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel

# PPC rules Art. 7(4): more than 1,000 people is reportable by the count alone.
REPORTABLE_PEOPLE_THRESHOLD = 1000


class Stage(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary report (速報)")
    FINAL = "final", _("Final report (確報)")


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    known_at = models.DateTimeField(_("learned of at"))
    reported_by = models.CharField(_("reported internally by"), max_length=200)
    description = models.TextField(_("what happened"))
    data_categories = models.JSONField(_("data categories"), default=list)
    data_items = models.JSONField(_("data items"), default=list)
    affected_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("affected users"), blank=True,
        related_name="incidents_affected")
    affected_count = models.PositiveIntegerField(_("number of people affected"), default=0)
    mitigated = models.BooleanField(
        _("not reportable: encryption or other measures protect the data"), default=False)
    mitigation_note = models.TextField(_("measures that protect the data"), blank=True)
    # PPC rules Art. 7(1)-(3); (4) is the count (`exceeds_threshold`).
    special_care = models.BooleanField(_("(1) special-care data (要配慮個人情報)"), default=False)
    financial_harm = models.BooleanField(_("(2) risk of financial harm through misuse"),
                                         default=False)
    unlawful_intent = models.BooleanField(_("(3) possibly done with unlawful intent"),
                                          default=False)
    preliminary_due_at = models.DateTimeField(_("preliminary report due"))
    final_due_at = models.DateTimeField(_("final report due"))
    # Copies of the reports' submission times, for the list, the sweep and the figures.
    preliminary_submitted_at = models.DateTimeField(_("preliminary report submitted at"),
                                                    null=True, blank=True)
    final_submitted_at = models.DateTimeField(_("final report submitted at"), null=True,
                                              blank=True)
    next_check_at = models.DateTimeField(_("next deadline check"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    notice_campaign = models.OneToOneField(
        "notifications_app.Campaign", verbose_name=_("notice campaign"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="incident")
    notice = models.JSONField(_("notice to the people affected"), default=dict, blank=True)
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    published_at = models.DateTimeField(_("public notice published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["final_due_at", "-known_at"]
        indexes = [models.Index(fields=["next_check_at"], name="incident_next_check_partial",
                                condition=Q(next_check_at__isnull=False))]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def people_count(self) -> int:
        """The people affected (the services keep it at least the number of linked users)."""
        return self.affected_count

    @property
    def exceeds_threshold(self) -> bool:
        return self.people_count > REPORTABLE_PEOPLE_THRESHOLD

    @property
    def reportable(self) -> bool:
        """APPI-26: any of the four cases of PPC rules Art. 7, unless measures protect the data."""
        if self.mitigated:
            return False
        return bool(self.special_care or self.financial_harm or self.unlawful_intent
                    or self.exceeds_threshold)


class IncidentReport(models.Model):
    """One report to the Commission: the nine items of PPC rules Art. 8(1), filled in
    progressively; frozen once submitted."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("incident"))
    stage = models.CharField(_("report"), max_length=16, choices=Stage.choices)
    summary = models.TextField(_("概要 (summary)"), blank=True)
    data_items = models.TextField(
        _("漏えい等が発生し又は発生したおそれがある個人データの項目 (personal data items)"), blank=True)
    people_count = models.TextField(_("本人の数 (number of people)"), blank=True)
    cause = models.TextField(_("原因 (cause)"), blank=True)
    secondary_harm = models.TextField(
        _("二次被害又はそのおそれの有無及びその内容 (secondary harm)"), blank=True)
    subject_response = models.TextField(
        _("本人への対応の実施状況 (response to the people affected)"), blank=True)
    publication = models.TextField(_("公表の実施状況 (publication)"), blank=True)
    prevention = models.TextField(_("再発防止のための措置 (prevention of recurrence)"), blank=True)
    other = models.TextField(_("その他参考となる事項 (other information)"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["incident", "stage"]
        constraints = [models.UniqueConstraint(fields=["incident", "stage"],
                                               name="incident_report_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.stage}"


# The nine items of PPC rules Art. 8(1), in the order of the Commission's form.
REPORT_ITEMS = ("summary", "data_items", "people_count", "cause", "secondary_harm",
                "subject_response", "publication", "prevention", "other")
# The preliminary report carries what is known at the time; these are always known.
REQUIRED_ITEMS = {
    Stage.PRELIMINARY: ("summary", "data_items", "people_count"),
    Stage.FINAL: REPORT_ITEMS,
}


class IncidentEvent(AppendOnlyModel):
    """Append-only timeline of an incident: who changed what, when."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="events",
                                 verbose_name=_("incident"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=40)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.action}"


class IncidentAlert(AppendOnlyModel):
    """One reminder or escalation of the incident sweep, unique per (incident, kind) like the
    request deadline alerts: two sweeps can never send it twice."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Superseded by a later alert")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="alerts",
                                 verbose_name=_("incident"))
    kind = models.CharField(_("kind"), max_length=40)
    due_at = models.DateTimeField(_("due at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    created_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident deadline alert")
        verbose_name_plural = _("incident deadline alerts")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind"],
                                               name="incident_alert_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} ({self.outcome})"
