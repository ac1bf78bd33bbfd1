"""Reads of the incident register (APPI-26). Staff only: the register is the officers'."""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from ccucaas_privacy.datasources import all_sources
from ccucaas_privacy.rules import enforces
from incidents_app import deadlines
from incidents_app.models import REPORT_ITEMS, Incident, IncidentReport, Stage


def incidents_list() -> QuerySet[Incident]:
    return Incident.objects.order_by("final_due_at", "-known_at")


def incident_get(*, pk) -> Incident:
    try:
        return Incident.objects.get(pk=pk)
    except (Incident.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def incident_published(*, public_id) -> Incident:
    """A public notice (公表): only once the officers published it."""
    try:
        return Incident.objects.get(public_id=public_id, published_at__isnull=False)
    except (Incident.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


EVENT_LABELS = {
    "recorded": _("Incident recorded"),
    "updated": _("Incident changed"),
    "preliminary_report_saved": _("Preliminary report saved"),
    "preliminary_report_submitted": _("Preliminary report submitted"),
    "final_report_saved": _("Final report saved"),
    "final_report_submitted": _("Final report submitted"),
    "notice_campaign_started": _("Notice campaign to the people affected started"),
    "published": _("Public notice published"),
}


def incident_timeline(incident: Incident) -> list:
    """The timeline with a translated label per event (never the internal code)."""
    events = list(incident.events.select_related("actor").order_by("created_at", "id"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, _("Other change"))
    return events


def category_titles(incident: Incident) -> list[str]:
    """The data categories as people read them (the data-source registry's titles)."""
    titles = {s.category: str(s.title) for s in all_sources()}
    return [titles.get(code, code) for code in incident.data_categories]


def incident_report(incident: Incident, stage: str) -> IncidentReport:
    """The report as it stands (unsaved and empty when nothing was filled in yet), its data
    items prefilled from the incident."""
    report = incident.reports.filter(stage=stage).first()
    if report is None:
        report = IncidentReport(incident=incident, stage=stage,
                                data_items="、".join(incident.data_items),
                                people_count=str(incident.people_count or ""))
    return report


def report_sheet(incident: Incident, stage: str) -> dict:
    """The nine items in the Commission's order, with their labels: for the printable sheet
    and the JSON export."""
    report = incident_report(incident, stage)
    return {
        "reference": incident.reference, "stage": stage,
        "known_at": clock.to_jst(incident.known_at).isoformat(),
        "due_at": clock.to_jst(deadlines.due_of(incident, stage)).isoformat(),
        "submitted_at": (clock.to_jst(report.submitted_at).isoformat()
                         if report.submitted_at else None),
        "submitted_by": report.submitted_by.username if report.submitted_by_id else None,
        "reportable_cases": reportable_cases(incident),
        "items": [{"item": name,
                   "label": str(IncidentReport._meta.get_field(name).verbose_name),
                   "value": getattr(report, name)} for name in REPORT_ITEMS],
    }


def reportable_cases(incident: Incident) -> list[str]:
    """Which of the four cases of PPC rules Art. 7 hold."""
    cases = [name for name in ("special_care", "financial_harm", "unlawful_intent")
             if getattr(incident, name)]
    return [*cases, "more_than_1000"] if incident.exceeds_threshold else cases


def deadline_state(incident: Incident, *, now: datetime | None = None) -> dict:
    """The stage due next and how it stands (for the badges): overdue, due, submitted."""
    now = clock.now() if now is None else now
    for stage in deadlines.STAGES:
        if deadlines.submitted_at_of(incident, stage) is None:
            due = deadlines.due_of(incident, stage)
            return {"stage": stage, "due_at": due, "overdue": due <= now,
                    "days_left": (due - now).total_seconds() / 86400}
    return {"stage": None, "due_at": None, "overdue": False, "days_left": None}


@dataclass
class IncidentFigures:
    recorded: int = 0
    reportable: int = 0
    reports_submitted: int = 0
    reports_on_time: int = 0
    overdue_now: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@enforces("P23")
def incident_figures(*, now: datetime | None = None) -> IncidentFigures:
    """For the compliance report (P23): incidents, and reports submitted on time."""
    now = clock.now() if now is None else now
    figures = IncidentFigures()
    for incident in Incident.objects.all().iterator():
        figures.recorded += 1
        if not incident.reportable:
            continue
        figures.reportable += 1
        for stage in Stage.values:
            submitted = deadlines.submitted_at_of(incident, stage)
            if submitted is not None:
                figures.reports_submitted += 1
                figures.reports_on_time += submitted < deadlines.due_of(incident, stage)
            figures.overdue_now += deadlines.is_overdue(incident, stage, now=now)
    return figures
