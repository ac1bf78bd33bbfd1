"""The compliance report (P23) as staff see it: figures, charts and a CSV. Reads only.

The figures come from the deadline engine's `requests_app.selectors.compliance` (owned by the lead);
this module only arranges them.
"""

import csv
import io
from datetime import datetime

from django.utils.translation import gettext as _

from ccucaas_privacy.csv_safe import csv_cell
from requests_app import charts
from requests_app.hooks import report_lines
from requests_app.models import RequestType
from requests_app.selectors.compliance import compliance_figures, compliance_summary

DAY_BUCKETS = [(0, 7, "0-7"), (7, 14, "8-14"), (14, 21, "15-21"), (21, 28, "22-28"),
               (28, 30, "29-30"), (30, None, ">30")]
CSV_COLUMNS = ["month", "type", "received", "replied_on_time", "replied_late", "awaiting_reply",
               "overdue_now", "on_time_rate", "median_days_to_reply", "p90_days_to_reply",
               "propagation_within_48h", "propagation_late", "propagation_pending"]


def report_extra_lines(*, now: datetime | None = None) -> list[dict]:
    """The lines apps above this one add (requests_app's `report_lines` hook, issue 22)."""
    return report_lines.call(now=now)


def _bucket(days: float) -> int:
    for i, (_low, high, _label) in enumerate(DAY_BUCKETS):
        if high is None or days <= high:
            return i
    return len(DAY_BUCKETS) - 1


def report_build(*, now: datetime | None = None) -> dict:
    """Summary, per-month table and three SVG charts."""
    figures = compliance_figures(now=now)
    summary = compliance_summary(now=now)
    months = sorted({f.month for f in figures})
    types = list(RequestType.values)
    labels = {value: str(label) for value, label in RequestType.choices}
    per_type = {t: [sum(f.received for f in figures if f.month == m and f.type == t)
                    for m in months] for t in types}
    rates = []
    for m in months:
        on_time = sum(f.replied_on_time for f in figures if f.month == m)
        replied = on_time + sum(f.replied_late for f in figures if f.month == m)
        rates.append(round(100 * on_time / replied, 1) if replied else None)
    counts = [0] * len(DAY_BUCKETS)
    for f in figures:
        for days in f.days_to_reply:
            counts[_bucket(days)] += 1
    return {
        "summary": summary,
        "rows": summary["rows"],
        "months": months,
        "extra_lines": report_extra_lines(now=now),
        "chart_requests": charts.stacked_bars(categories=months, series=per_type, labels=labels,
                                              title=_("Requests per month by type")),
        "chart_on_time": charts.line_percent(categories=months, values=rates,
                                             title=_("Replied on time (%)")),
        "chart_days": charts.histogram(buckets=[b[2] for b in DAY_BUCKETS], counts=counts,
                                       title=_("Days to reply")),
    }


def report_csv(*, now: datetime | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in compliance_summary(now=now)["rows"]:
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return out.getvalue()
