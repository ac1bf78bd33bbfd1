"""What the incident register plugs into the apps below it (called from `ready()`): its staff
email kinds, the audience and content of the `incident_notice` campaign, its data source and
its line on the compliance report. Those apps never import incidents_app."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ccucaas_privacy.datasources import EvidenceRowsSource, register
from notifications_app import hooks as notifications_hooks
from notifications_app.kinds import Category, register_kind
from requests_app import hooks as requests_hooks

RETAINED = ("incident register kept as the record of the reports to the Personal Information "
            "Protection Commission (APPI Art. 26, APPI-26)")


def _incidents_of(user):
    from django.db.models import Q

    from incidents_app.models import Incident

    return Incident.objects.filter(
        Q(affected_users=user) | Q(recorded_by=user) | Q(events__actor=user)
        | Q(reports__submitted_by=user)).distinct()


class IncidentSource(EvidenceRowsSource):
    """Incidents that involved the user's data (and, for staff, those they worked on)."""

    category = "incidents"
    rule = "P18"
    title = gettext_lazy("Incidents involving your data")
    description = gettext_lazy("Personal data incidents (leaks and suspected leaks) that "
                               "involved your data, or that you recorded or reported as staff.")
    models = ("incidents_app.Incident", "incidents_app.IncidentEvent",
              "incidents_app.IncidentReport")
    columns = ("reference", "title", "known_at", "data_items", "published_at")
    retained_reason = RETAINED

    def user_rows(self, user):
        return _incidents_of(user).order_by("known_at")


def _notice_recipients(*, campaign):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(incidents_affected__notice_campaign=campaign)


def _notice_context(*, campaign, language: str) -> dict:
    from incidents_app.models import Incident

    incident = Incident.objects.get(notice_campaign=campaign)
    texts = incident.notice.get(language) or incident.notice["ja"]
    contact = settings.CONSENT_CONTROLLER
    context = {"title": campaign.title_for(language), "reference": incident.reference,
               "what_happened": texts["what_happened"], "data": texts["data"],
               "what_we_did": texts["what_we_did"], "what_you_can_do": texts["what_you_can_do"],
               "helpdesk": contact.get("contact", ""), "helpdesk_email": contact.get("email", ""),
               "helpdesk_phone": contact.get("phone", ""), "notice_url": ""}
    if incident.published_at:
        with translation.override(language):
            context["notice_url"] = settings.SITE_URL.rstrip("/") + reverse(
                "incidents:notice", args=[incident.public_id])
    return context


def _report_line(*, now=None) -> dict:
    from incidents_app.selectors import incident_figures

    f = incident_figures(now=now)
    return {"label": _("Incidents (APPI Art. 26)"),
            "value": _("%(recorded)d recorded, %(reportable)d reportable; reports on time: "
                       "%(on_time)d of %(submitted)d submitted; overdue now: %(overdue)d")
            % {"recorded": f.recorded, "reportable": f.reportable, "on_time": f.reports_on_time,
               "submitted": f.reports_submitted, "overdue": f.overdue_now},
            "url": reverse("admin:incidents_app_incident_changelist")}


def register_all() -> None:
    for kind in ("staff_incident_deadline_reminder", "staff_incident_overdue_escalation"):
        register_kind(kind, category=Category.MANDATORY, description="incident deadlines")
    notifications_hooks.incident_notice_recipients.register(_notice_recipients)
    notifications_hooks.incident_notice_context.register(_notice_context)
    register(IncidentSource)
    requests_hooks.report_lines.register(_report_line)
