"""Reads of automation_app: the figures of the compliance report (P23) and the portal's
cancellable deletion."""

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Min, Q
from django.utils.translation import gettext as _

from automation_app.labels import type_label
from automation_app.models import AutomationRun, ReviewItem, RunStatus
from ccucaas_privacy import clock
from ccucaas_privacy.rules import enforces
from requests_app.models import DataSubjectRequest

AUTOMATIC = (RunStatus.HANDLED, RunStatus.REOPENED)  # the first reply was automatic
REPORT_PERIOD_DAYS = 365


def percentile(samples: list[float], pct: float) -> float | None:
    """Nearest rank: the smallest sample with at least pct % of the samples at or below it."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


@dataclass
class TypeFigures:
    type: str
    received: int = 0
    automatic: int = 0
    automatic_seconds: list[float] = field(default_factory=list)
    manual_seconds: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return type_label(self.type)

    @property
    def automatic_share(self) -> float | None:
        return round(100 * self.automatic / self.received, 1) if self.received else None

    def median(self, automatic: bool) -> float | None:
        samples = self.automatic_seconds if automatic else self.manual_seconds
        return statistics.median(samples) if samples else None

    def p95(self, automatic: bool) -> float | None:
        return percentile(self.automatic_seconds if automatic else self.manual_seconds, 95)


@enforces("P23")
def automation_figures(*, now: datetime | None = None, since: datetime | None = None
                       ) -> list[TypeFigures]:
    """Per type, over requests received since `since` (a year by default): how many, how many
    handled automatically, and the seconds from receipt (or identity verification, when it came
    later) to the first reply, automatic and manual apart."""
    now = clock.now() if now is None else now
    since = now - timedelta(days=REPORT_PERIOD_DAYS) if since is None else since
    rows = (DataSubjectRequest.objects.filter(received_at__gte=since, received_at__lte=now)
            .annotate(first_reply=Min("events__created_at", filter=Q(events__action="reply")))
            .values_list("type", "received_at", "identity_verified_at", "first_reply",
                         "automation_run__status"))
    figures: dict[str, TypeFigures] = {}
    for type_, received, verified, first_reply, run_status in rows:
        f = figures.setdefault(type_, TypeFigures(type_))
        f.received += 1
        automatic = run_status in AUTOMATIC
        f.automatic += automatic
        if first_reply is not None:
            start = max(received, verified) if verified else received
            seconds = max(0.0, (first_reply - start).total_seconds())
            (f.automatic_seconds if automatic else f.manual_seconds).append(seconds)
    return sorted(figures.values(), key=lambda f: f.type)


def duration_label(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return _("%(n)d s") % {"n": round(seconds)}
    if seconds < 2 * 3600:
        return _("%(n)d min") % {"n": round(seconds / 60)}
    if seconds < 2 * 86400:
        return _("%(n).1f h") % {"n": seconds / 3600}
    return _("%(n).1f days") % {"n": seconds / 86400}


def figures_line_value(figures: list[TypeFigures]) -> str:
    """One sentence per type for the compliance report."""
    if not figures:
        return _("No requests in the last 12 months.")
    parts = []
    for f in figures:
        parts.append(_(
            "%(type)s: %(share)s%% automatic (%(auto)d of %(received)d); first reply automatic "
            "median %(am)s, 95th percentile %(ap)s; manual median %(mm)s, 95th percentile %(mp)s")
            % {"type": f.label, "share": f.automatic_share, "auto": f.automatic,
               "received": f.received, "am": duration_label(f.median(True)),
               "ap": duration_label(f.p95(True)), "mm": duration_label(f.median(False)),
               "mp": duration_label(f.p95(False))})
    return "; ".join(parts) + "."


def cancellable_deletion(*, request: DataSubjectRequest) -> AutomationRun | None:
    """The cooling-off run the request's owner may still cancel (the portal's request page)."""
    return AutomationRun.objects.filter(request=request, status=RunStatus.COOLING_OFF).first()


def review_queue():
    return ReviewItem.objects.filter(reviewed_at=None).select_related("run__request", "run")
