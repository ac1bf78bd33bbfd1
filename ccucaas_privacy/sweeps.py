"""The claim loop the deadline sweeps share (DESIGN section 5: deadlines are rows claimed by
sweeps): requests_app's `deadline_sweep` and incidents_app's `incident_deadline_sweep`.

A pass reads the due ids, then handles each row in its own transaction (the handler claims the
row with `select_for_update(skip_locked=True)`); an error rolls back that row only, is logged and
reported, and the pass goes on. Of the alerts of one series that came due since the last pass,
only the latest is acted on; the earlier ones are recorded as skipped.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import transaction


@dataclass
class SweepReport:
    claimed: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (reference, kind)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (reference or id, error)


class Alert(Protocol):
    series: str
    kind: str


def sweep_rows(ids: Iterable[Any], handle: Callable[[Any], None], *, report: SweepReport,
               logger: logging.Logger, what: str,
               after_failure: Callable[[], None] | None = None) -> None:
    """`handle(id)` for each id, each in its own transaction; a failure is logged as
    "`what` `id` failed", reported in `report.failures`, and followed by `after_failure()`."""
    for row_id in ids:
        try:
            with transaction.atomic():
                handle(row_id)
        except Exception as exc:  # one broken row must not stop the others
            logger.exception("%s %s failed", what, row_id)
            report.failures.append((str(row_id), f"{type(exc).__name__}: {exc}"))
            if after_failure is not None:
                after_failure()


def alerts_by_series(alerts: Iterable[Alert]) -> list[tuple[list[Alert], Alert]]:
    """The due alerts grouped by series, in order: (the earlier ones to skip, the latest)."""
    by_series: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_series[alert.series].append(alert)
    return [(alerts[:-1], alerts[-1]) for alerts in by_series.values()]
