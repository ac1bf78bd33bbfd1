"""Compliance figures for the periodic audit (RULES P23): selectors, read-only.

Per JST month of receipt and request type: received, replied on time, replied late, median and
p90 days to reply, propagation completed within 48 h, and what is overdue now.
"""

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime

from ccucaas_privacy import clock
from ccucaas_privacy.rules import enforces
from requests_app import deadlines
from requests_app.models import DataSubjectRequest

SECONDS_PER_DAY = 86400


@dataclass
class MonthTypeFigures:
    month: str  # "2026-11" (JST)
    type: str
    received: int = 0
    replied_on_time: int = 0
    replied_late: int = 0
    awaiting_reply: int = 0
    overdue_now: int = 0
    propagation_within_48h: int = 0
    propagation_late: int = 0
    propagation_pending: int = 0
    days_to_reply: list[float] = field(default_factory=list, repr=False)

    @property
    def median_days_to_reply(self) -> float | None:
        return round(statistics.median(self.days_to_reply), 2) if self.days_to_reply else None

    @property
    def p90_days_to_reply(self) -> float | None:
        if not self.days_to_reply:
            return None
        ordered = sorted(self.days_to_reply)
        return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2)

    @property
    def late(self) -> int:
        """Replied late, plus open and already past the deadline (late whatever happens)."""
        return self.replied_late + self.overdue_now

    @property
    def on_time_rate(self) -> float | None:
        return on_time_rate(on_time=self.replied_on_time, late=self.late)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("days_to_reply")
        data.update(median_days_to_reply=self.median_days_to_reply, late=self.late,
                    p90_days_to_reply=self.p90_days_to_reply, on_time_rate=self.on_time_rate)
        return data


@enforces("P23")
def on_time_rate(*, on_time: int, late: int) -> float | None:
    """Share of requests answered on time among those whose deadline has been decided: an
    open request past its deadline counts as late (issue 19 item 4), one still within it not."""
    decided = on_time + late
    return round(on_time / decided, 4) if decided else None


@enforces("P23")
def compliance_figures(*, now: datetime | None = None, since: datetime | None = None,
                       until: datetime | None = None) -> list[MonthTypeFigures]:
    """Figures per (JST month of receipt, type), oldest month first; `since`/`until` bound
    the time of receipt (until excluded)."""
    now = clock.now() if now is None else now
    rows = DataSubjectRequest.objects.all()
    if since is not None:
        rows = rows.filter(received_at__gte=since)
    if until is not None:
        rows = rows.filter(received_at__lt=until)
    fields = ("type", "status", "received_at", "identity_verified_at", "reply_due_at",
              "replied_at", "effective_due_at", "completed_at")
    table: dict[tuple[str, str], MonthTypeFigures] = {}
    for values in rows.values_list(*fields).iterator(chunk_size=5000):
        r = dict(zip(fields, values, strict=True))
        key = (clock.jst_date(r["received_at"]).strftime("%Y-%m"), r["type"])
        figures = table.setdefault(key, MonthTypeFigures(month=key[0], type=key[1]))
        _count(figures, r, now=now)
    return [table[key] for key in sorted(table)]


def _count(figures: MonthTypeFigures, r: dict, *, now: datetime) -> None:
    figures.received += 1
    if r["replied_at"] and r["reply_due_at"]:
        on_time = r["replied_at"] < r["reply_due_at"]
        figures.replied_on_time += on_time
        figures.replied_late += not on_time
        # P26: inquiries count from identity verification, everything else from receipt.
        start = r["identity_verified_at"] if r["type"] == "inquiry" and r["identity_verified_at"] else r["received_at"]
        figures.days_to_reply.append((r["replied_at"] - start).total_seconds() / SECONDS_PER_DAY)
    elif r["status"] in deadlines.OPEN_FOR_REPLY:
        figures.awaiting_reply += 1
        figures.overdue_now += bool(r["reply_due_at"] and r["reply_due_at"] <= now)
    if r["type"] in deadlines.PROPAGATING_TYPES and r["effective_due_at"]:
        if r["completed_at"]:
            within = r["completed_at"] <= r["effective_due_at"]
            figures.propagation_within_48h += within
            figures.propagation_late += not within
        else:
            figures.propagation_pending += 1


def overdue_requests(*, now: datetime | None = None):
    """Open requests past their reply deadline, most overdue first."""
    now = clock.now() if now is None else now
    return (DataSubjectRequest.objects
            .filter(status__in=deadlines.OPEN_FOR_REPLY, reply_due_at__lte=now)
            .select_related("assignee", "subject").order_by("reply_due_at"))


@enforces("P23")
def compliance_summary(*, now: datetime | None = None, since: datetime | None = None,
                       until: datetime | None = None) -> dict:
    figures = compliance_figures(now=now, since=since, until=until)
    totals = defaultdict(int)
    for f in figures:
        for key in ("received", "replied_on_time", "replied_late", "overdue_now",
                    "propagation_within_48h", "propagation_late", "propagation_pending"):
            totals[key] += getattr(f, key)
    totals["late"] = totals["replied_late"] + totals["overdue_now"]
    totals["on_time_rate"] = on_time_rate(on_time=totals["replied_on_time"], late=totals["late"])
    return {"rows": [f.as_dict() for f in figures], "totals": dict(totals)}
