"""When a request next needs the deadline sweep's attention (DESIGN section 5).

Pure functions over a request's status and deadline fields: the transitions call
`next_check_at()` to store `next_check_at`; the sweep (issue 7) uses `alert_schedule()`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

OPEN_FOR_REPLY = {"received", "in_review"}
PROPAGATING_TYPES = {"correction", "deletion"}


@dataclass(frozen=True)
class PlannedAlert:
    kind: str  # e.g. "reply_reminder_7d", "overdue", "overdue_repeat_2", "propagation_breach"
    due_at: datetime
    series: str  # alerts of one series supersede each other when a sweep catches up


def _config() -> dict:
    return settings.DEADLINES


def alert_schedule(request, *, now: datetime) -> list[PlannedAlert]:
    """Every alert the request can still need, in order; repeats are generated up to `now`."""
    cfg = _config()
    plan: list[PlannedAlert] = []
    if request.status == "awaiting_verification" and request.received_at:
        expires = request.received_at + timedelta(days=cfg["VERIFICATION_EXPIRY_DAYS"])
        plan.append(PlannedAlert("verification_expired", expires, "verification"))
    if request.status in OPEN_FOR_REPLY and request.reply_due_at:
        due = request.reply_due_at
        for days in sorted(cfg["REPLY_REMINDER_DAYS_BEFORE"], reverse=True):
            plan.append(PlannedAlert(f"reply_reminder_{days}d", due - timedelta(days=days), "reminder"))
        plan.append(PlannedAlert("overdue", due, "overdue"))
        repeat = timedelta(hours=cfg["OVERDUE_REPEAT_HOURS"])
        n = 1
        while due + n * repeat <= now + repeat:
            plan.append(PlannedAlert(f"overdue_repeat_{n}", due + n * repeat, "overdue"))
            n += 1
    if (request.status == "replied" and request.type in PROPAGATING_TYPES
            and request.effective_due_at):
        eff = request.effective_due_at
        warn = timedelta(hours=cfg["PROPAGATION_WARNING_HOURS_BEFORE"])
        plan.append(PlannedAlert("propagation_warning", eff - warn, "propagation"))
        plan.append(PlannedAlert("propagation_breach", eff, "propagation"))
    return plan


def next_check_at(request, *, now: datetime, handled_kinds: frozenset[str] = frozenset()
                  ) -> datetime | None:
    """The earliest instant of an alert not yet handled, or None when nothing is pending."""
    pending = [a.due_at for a in alert_schedule(request, now=now) if a.kind not in handled_kinds]
    return min(pending) if pending else None
