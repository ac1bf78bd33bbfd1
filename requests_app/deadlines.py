"""When a request next needs the deadline sweep's attention (DESIGN section 5, RULES P21/P26).

Pure planning over a request's status and deadline fields. Transitions store
`next_check_at()`; the sweep (`requests_app/sweep.py`) acts on `alert_schedule()`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

OPEN_FOR_REPLY = {"received", "in_review"}
# A stop of use / of provision (APPI Art. 35) is in effect within the same 48 hours (issue 21).
PROPAGATING_TYPES = {"correction", "deletion", "stop_use", "stop_provision"}


@dataclass(frozen=True)
class PlannedAlert:
    kind: str  # "reply_reminder_7d", "overdue", "overdue_repeat_2", "propagation_breach", ...
    due_at: datetime
    # Alerts of one series supersede each other: a sweep that catches up after downtime sends
    # only the latest one that is due (a stale 7-day reminder is not sent once the 3-day is due).
    series: str


def alert_schedule(request, *, now: datetime) -> list[PlannedAlert]:
    """Every alert the request can need in its current status, in time order.

    Daily overdue repeats are generated up to the first one after `now`.
    """
    cfg = settings.DEADLINES
    plan: list[PlannedAlert] = []
    if request.status == "awaiting_verification" and request.received_at:
        expires = request.received_at + timedelta(days=cfg["VERIFICATION_EXPIRY_DAYS"])
        reminder = verification_reminder_at(request, expires=expires)
        if reminder is not None:
            # Same series as the expiry: a sweep catching up after the expiry sends only that.
            plan.append(PlannedAlert("verification_reminder", reminder, "verification"))
        plan.append(PlannedAlert("verification_expired", expires, "verification"))
    if request.status in OPEN_FOR_REPLY and request.reply_due_at:
        due = request.reply_due_at
        for days in sorted(cfg["REPLY_REMINDER_DAYS_BEFORE"], reverse=True):
            plan.append(PlannedAlert(f"reply_reminder_{days}d", due - timedelta(days=days), "reply"))
        plan.append(PlannedAlert("overdue", due, "reply"))
        repeat = timedelta(hours=cfg["OVERDUE_REPEAT_HOURS"])
        n = 1
        while due + (n - 1) * repeat <= now:
            plan.append(PlannedAlert(f"overdue_repeat_{n}", due + n * repeat, "reply"))
            n += 1
    if (request.status == "replied" and request.type in PROPAGATING_TYPES
            and request.effective_due_at):
        effective = request.effective_due_at
        warning = timedelta(hours=cfg["PROPAGATION_WARNING_HOURS_BEFORE"])
        plan.append(PlannedAlert("propagation_warning", effective - warning, "propagation"))
        plan.append(PlannedAlert("propagation_breach", effective, "propagation"))
    return sorted(plan, key=lambda alert: alert.due_at)


def verification_reminder_at(request, *, expires: datetime) -> datetime | None:
    """The one reminder to a requester who has not verified: VERIFICATION_REMINDER_HOURS_BEFORE
    the first link (issued at filing, VERIFICATION_CODE_TTL_HOURS) or the request expires,
    whichever comes first. None when that would be at or before the filing itself."""
    cfg = settings.DEADLINES
    filed = request.created_at or request.received_at
    link_expires = filed + timedelta(hours=cfg["VERIFICATION_CODE_TTL_HOURS"])
    at = min(link_expires, expires) - timedelta(hours=cfg["VERIFICATION_REMINDER_HOURS_BEFORE"])
    return at if at > filed else None


def has_corrupt_deadlines(request) -> bool:
    """An open request without the deadline it must have cannot be watched: report it."""
    if request.status in OPEN_FOR_REPLY and request.reply_due_at is None:
        return True
    if request.status == "awaiting_verification" and request.received_at is None:
        return True
    return (request.status == "replied" and request.type in PROPAGATING_TYPES
            and request.effective_due_at is None)


def handled_kinds_of(request) -> frozenset[str]:
    if getattr(request, "pk", None) is None or not hasattr(request, "alerts"):
        return frozenset()
    return frozenset(request.alerts.values_list("kind", flat=True))


def next_check_at(request, *, now: datetime, handled_kinds: frozenset[str] | None = None
                  ) -> datetime | None:
    """The earliest instant of an alert not yet handled, or None when nothing is pending.

    A request whose deadline fields are corrupt is due now, so the sweep reports it.
    """
    if has_corrupt_deadlines(request):
        handled = handled_kinds_of(request) if handled_kinds is None else handled_kinds
        return None if "deadline_data_error" in handled else now
    if handled_kinds is None:
        handled_kinds = handled_kinds_of(request)
    pending = [a.due_at for a in alert_schedule(request, now=now) if a.kind not in handled_kinds]
    return min(pending) if pending else None


def is_overdue(request, *, now: datetime) -> bool:
    """Past the reply deadline without a reply (shown everywhere as overdue)."""
    return bool(request.status in OPEN_FOR_REPLY and request.reply_due_at
                and request.reply_due_at <= now)
