"""The deadline sweep (DESIGN section 5; RULES P21, P26): reminders, escalations, propagation
watch and verification expiry, each exactly once.

Beat runs `sweep_deadlines` every minute; `manage.py sweep_deadlines` runs one pass. A pass reads
the due ids through the partial index on `next_check_at`, then handles each request in its own
transaction: the row is claimed with `select_for_update(skip_locked=True)` (a concurrent sweep
skips it), the alert is recorded under a unique (request, kind) constraint and its email is
queued through the outbox in the same transaction. An error rolls back that request only.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from ccucaas_privacy import clock
from ccucaas_privacy.rules import enforces
from ccucaas_privacy.staff import privacy_officers
from ccucaas_privacy.sweeps import SweepReport as BaseSweepReport
from ccucaas_privacy.sweeps import alerts_by_series, sweep_rows
from notifications_app.kinds import Category, register_kind
from notifications_app.services.outbox import notification_queue
from requests_app import deadlines
from requests_app.models import DataSubjectRequest, DeadlineAlert

logger = logging.getLogger(__name__)

STAFF_EMAIL_KIND = {
    "reply": "staff_deadline_reminder",
    "overdue": "staff_overdue_escalation",
    "propagation_warning": "staff_propagation_warning",
    "propagation_breach": "staff_propagation_breach",
    "deadline_data_error": "staff_deadline_data_error",
}


@dataclass
class SweepReport(BaseSweepReport):
    data_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"claimed": self.claimed, "sent": self.sent, "skipped": self.skipped,
                "data_errors": self.data_errors, "failures": self.failures}


def due_requests_query(*, now: datetime):
    """Requests whose next check has come; served by the partial index on next_check_at."""
    return (DataSubjectRequest.objects.filter(next_check_at__lte=now)
            .order_by("next_check_at").values_list("id", flat=True))


def due_request_ids(*, now: datetime, limit: int | None = None) -> list:
    query = due_requests_query(now=now)
    return list(query[:limit] if limit else query)


@enforces("P21", "P26")
def deadline_sweep(*, now: datetime | None = None, limit: int | None = None) -> SweepReport:
    """One pass over every due request."""
    now = clock.now() if now is None else now
    report = SweepReport()
    ids = due_request_ids(now=now, limit=limit)
    officers = list(privacy_officers()) if ids else []  # once per pass, not per request
    sweep_rows(ids, lambda request_id: _handle_one(request_id, now=now, report=report,
                                                   officers=officers),
               report=report, logger=logger, what="deadline sweep: request",
               after_failure=_replace_connection_if_broken)
    if report.sent or report.data_errors or report.failures:
        logger.info("deadline sweep at %s: claimed %d, sent %d, skipped %d, data errors %s, "
                    "failures %s", now.isoformat(), report.claimed, len(report.sent),
                    len(report.skipped), report.data_errors, report.failures)
    return report


def _replace_connection_if_broken() -> None:
    """A dropped database connection (restart, failover) is replaced for the next request."""
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()


def _handle_one(request_id, *, now: datetime, report: SweepReport, officers: list) -> None:
    request = (DataSubjectRequest.objects.select_for_update(skip_locked=True, of=("self",))
               .select_related("subject", "assignee")
               .filter(pk=request_id, next_check_at__lte=now).first())
    if request is None:
        return  # another sweep holds it, or it is no longer due
    report.claimed += 1
    handled = set(deadlines.handled_kinds_of(request))

    if deadlines.has_corrupt_deadlines(request):
        _report_data_error(request, handled=handled, report=report, officers=officers)
    else:
        due = [a for a in deadlines.alert_schedule(request, now=now)
               if a.due_at <= now and a.kind not in handled]
        for stale, latest in alerts_by_series(due):
            for alert in stale:
                _record(request, alert.kind, alert.due_at, DeadlineAlert.Outcome.SKIPPED, [],
                        "superseded by " + latest.kind)
                report.skipped.append((request.reference, alert.kind))
            _act(request, latest, now=now, report=report, officers=officers)
            handled.update(a.kind for a in (*stale, latest))

    if request.status == "awaiting_verification":  # the expiry may have closed it
        request.refresh_from_db(fields=["status"])
    request.next_check_at = deadlines.next_check_at(request, now=now,
                                                    handled_kinds=frozenset(handled))
    DataSubjectRequest.objects.filter(pk=request.pk).update(next_check_at=request.next_check_at)


def _record(request, kind: str, due_at, outcome: str, recipients: list[str], note: str = ""
            ) -> None:
    # ON CONFLICT DO NOTHING: if another pass already recorded this kind, the unique
    # constraint keeps the first row (the last line of defence behind the row lock).
    DeadlineAlert.objects.bulk_create(
        [DeadlineAlert(request=request, kind=kind, due_at=due_at, outcome=outcome,
                       recipients=recipients, note=note)],
        ignore_conflicts=True,
    )


def _act(request, alert: deadlines.PlannedAlert, *, now: datetime, report: SweepReport,
         officers: list) -> None:
    if alert.kind == "verification_expired":
        from requests_app.services.verification import request_expire

        request_expire(request=request, now=now)
        _record(request, alert.kind, alert.due_at, DeadlineAlert.Outcome.SENT,
                [request.recipient_email], "request expired; requester emailed")
        report.sent.append((request.reference, alert.kind))
        return
    if alert.kind == "verification_reminder":
        from requests_app.services.verification import request_verification_remind

        request_verification_remind(request=request, now=now)
        _record(request, alert.kind, alert.due_at, DeadlineAlert.Outcome.SENT,
                [request.recipient_email], "requester reminded with a new link and code")
        report.sent.append((request.reference, alert.kind))
        return
    staff = _staff_recipients(request, alert, officers)
    email_kind = _email_kind(alert.kind)
    for user in staff:
        notification_queue(
            kind=email_kind, cause=f"deadline:{request.pk}:{alert.kind}", user=user,
            context=_email_context(request, alert),
        )
    _record(request, alert.kind, alert.due_at, DeadlineAlert.Outcome.SENT,
            [u.email for u in staff])
    report.sent.append((request.reference, alert.kind))


def _email_kind(kind: str) -> str:
    if kind.startswith("reply_reminder_"):
        return STAFF_EMAIL_KIND["reply"]
    if kind.startswith("overdue"):
        return STAFF_EMAIL_KIND["overdue"]
    return STAFF_EMAIL_KIND[kind]


def _staff_recipients(request, alert: deadlines.PlannedAlert, officers: list) -> list:
    """Reminders go to the assignee (or every privacy officer when unassigned); escalations,
    propagation alerts and data errors go to every privacy officer."""
    if alert.kind.startswith("reply_reminder_") and request.assignee_id and request.assignee.is_active:
        return [request.assignee]
    return officers


def _email_context(request, alert: deadlines.PlannedAlert) -> dict:
    due = alert.due_at
    reply_due = request.reply_due_at
    return {
        "reference": request.reference,
        "request_id": str(request.pk),
        "request_type": request.type,
        "status": request.status,
        "alert_kind": alert.kind,
        "days_before": int(alert.kind.split("_")[-1].rstrip("d")) if alert.kind.startswith("reply_reminder_") else None,
        "alert_due_jst": clock.to_jst(due).strftime("%Y-%m-%d %H:%M") if due else "",
        "reply_due_jst": clock.to_jst(reply_due).strftime("%Y-%m-%d %H:%M") if reply_due else "",
        "effective_due_jst": (clock.to_jst(request.effective_due_at).strftime("%Y-%m-%d %H:%M")
                              if request.effective_due_at else ""),
        "admin_path": f"/admin/requests_app/datasubjectrequest/{request.pk}/change/",
    }


def _report_data_error(request, *, handled: set[str], report: SweepReport, officers: list) -> None:
    report.data_errors.append(request.reference)
    logger.error("deadline sweep: request %s (%s) is %s without the deadline it needs",
                 request.reference, request.pk, request.status)
    if "deadline_data_error" in handled:
        return
    staff = officers
    for user in staff:
        notification_queue(
            kind=STAFF_EMAIL_KIND["deadline_data_error"],
            cause=f"deadline:{request.pk}:deadline_data_error", user=user,
            context={"reference": request.reference, "request_id": str(request.pk),
                     "status": request.status,
                     "admin_path": f"/admin/requests_app/datasubjectrequest/{request.pk}/change/"},
        )
    _record(request, "deadline_data_error", None, DeadlineAlert.Outcome.DATA_ERROR,
            [u.email for u in staff], f"status {request.status} without its deadline fields")
    handled.add("deadline_data_error")


def kinds_register() -> None:
    """The staff emails of the deadline engine (mandatory: staff reminders cannot be muted)."""
    for kind in STAFF_EMAIL_KIND.values():
        register_kind(kind, category=Category.MANDATORY, description="deadline engine")
