"""The incident deadline sweep (APPI-26): a reminder to the privacy officers 1 day before each
report deadline and an escalation when it is overdue, each exactly once.

The mechanism of the request sweep (requests_app/sweep.py): due ids through the partial index on
`next_check_at`; each incident in its own transaction, claimed with
`select_for_update(skip_locked=True)` (a concurrent sweep skips it); each alert recorded under the
unique (incident, kind) constraint with ON CONFLICT DO NOTHING, its emails queued through the
outbox in the same transaction. A sweep that missed hours sends only the latest alert due.
"""

import logging
from datetime import datetime

from ccucaas_privacy import clock
from ccucaas_privacy.rules import enforces
from ccucaas_privacy.staff import privacy_officers
from ccucaas_privacy.sweeps import SweepReport, alerts_by_series, sweep_rows
from incidents_app import deadlines
from incidents_app.models import Incident, IncidentAlert
from notifications_app.services.outbox import notification_queue

logger = logging.getLogger(__name__)

EMAIL_KIND = {"reminder": "staff_incident_deadline_reminder",
              "overdue": "staff_incident_overdue_escalation"}


@enforces("APPI-26")
def incident_deadline_sweep(*, now: datetime | None = None) -> SweepReport:
    """One pass over every incident whose next check has come."""
    now = clock.now() if now is None else now
    report = SweepReport()
    ids = list(Incident.objects.filter(next_check_at__lte=now).order_by("next_check_at")
               .values_list("id", flat=True))
    officers = list(privacy_officers()) if ids else []
    sweep_rows(ids, lambda incident_id: _handle_one(incident_id, now=now, report=report,
                                                    officers=officers),
               report=report, logger=logger, what="incident sweep: incident")
    return report


def _handle_one(incident_id, *, now: datetime, report: SweepReport, officers: list) -> None:
    incident = (Incident.objects.select_for_update(skip_locked=True)
                .filter(pk=incident_id, next_check_at__lte=now).first())
    if incident is None:
        return  # another sweep holds it, or it is no longer due
    report.claimed += 1
    handled = set(incident.alerts.values_list("kind", flat=True))
    due = [alert for alert in deadlines.alert_schedule(incident)
           if alert.due_at <= now and alert.kind not in handled]
    for stale, latest in alerts_by_series(due):
        for alert in stale:
            _record(incident, alert, IncidentAlert.Outcome.SKIPPED, [])
            report.skipped.append((incident.reference, alert.kind))
        _send(incident, latest, officers)
        report.sent.append((incident.reference, latest.kind))
        handled.update(a.kind for a in (*stale, latest))
    next_check = deadlines.next_check_at(incident, handled_kinds=frozenset(handled))
    Incident.objects.filter(pk=incident.pk).update(next_check_at=next_check)


def _record(incident: Incident, alert: deadlines.PlannedAlert, outcome: str,
            recipients: list[str]) -> None:
    IncidentAlert.objects.bulk_create(
        [IncidentAlert(incident=incident, kind=alert.kind, due_at=alert.due_at, outcome=outcome,
                       recipients=recipients)], ignore_conflicts=True)


def _send(incident: Incident, alert: deadlines.PlannedAlert, officers: list) -> None:
    email_kind = EMAIL_KIND["overdue" if alert.kind.endswith("_overdue") else "reminder"]
    due = deadlines.due_of(incident, alert.stage)
    for user in officers:
        notification_queue(
            kind=email_kind, cause=f"incident:{incident.pk}:{alert.kind}", user=user,
            context={"reference": incident.reference, "title": incident.title,
                     "stage": alert.stage,
                     "due_jst": clock.to_jst(due).strftime("%Y-%m-%d %H:%M"),
                     "admin_path": f"/admin/incidents_app/incident/{incident.pk}/change/"})
    _record(incident, alert, IncidentAlert.Outcome.SENT, [u.email for u in officers])
