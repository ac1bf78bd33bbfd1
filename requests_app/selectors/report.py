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
from requests_app.selectors.compliance import (
    compliance_figures,
    compliance_summary,
    on_time_rate,
)

DAY_BUCKETS = [(0, 7, "0-7"), (7, 14, "8-14"), (14, 21, "15-21"), (21, 28, "22-28"),
               (28, 30, "29-30"), (30, None, ">30")]
CSV_COLUMNS = ["month", "type", "received", "replied_on_time", "replied_late", "awaiting_reply",
               "overdue_now", "late", "on_time_rate", "median_days_to_reply", "p90_days_to_reply",
               "propagation_within_48h", "propagation_late", "propagation_pending"]


def report_extra_lines(*, now: datetime | None = None) -> list[dict]:
    """The lines apps above this one add (requests_app's `report_lines` hook, issue 22)."""
    return report_lines.call(now=now)


def _bucket(days: float) -> int:
    for i, (_low, high, _label) in enumerate(DAY_BUCKETS):
        if high is None or days <= high:
            return i
    return len(DAY_BUCKETS) - 1


def report_build(*, now: datetime | None = None, since: datetime | None = None,
                 until: datetime | None = None) -> dict:
    """Summary, per-month table and three labelled SVG charts, for requests received in
    [since, until) (all when unbounded)."""
    figures = compliance_figures(now=now, since=since, until=until)
    summary = compliance_summary(now=now, since=since, until=until)
    months = sorted({f.month for f in figures})
    types = list(RequestType.values)
    labels = {value: str(label) for value, label in RequestType.choices}
    per_type = {t: [sum(f.received for f in figures if f.month == m and f.type == t)
                    for m in months] for t in types}
    per_type = {t: values for t, values in per_type.items() if any(values)}
    rates = []
    for m in months:
        rate = on_time_rate(on_time=sum(f.replied_on_time for f in figures if f.month == m),
                            late=sum(f.late for f in figures if f.month == m))
        rates.append(None if rate is None else round(100 * rate, 1))
    counts = [0] * len(DAY_BUCKETS)
    for f in figures:
        for days in f.days_to_reply:
            counts[_bucket(days)] += 1
    rows = [{**row, "type_label": labels.get(row["type"], row["type"])} for row in summary["rows"]]
    return {
        "summary": summary,
        "rows": rows,
        "months": months,
        "extra_lines": report_extra_lines(now=now),
        "chart_requests": charts.stacked_bars(
            categories=months, series=per_type, labels=labels,
            title=_("Requests per month by type"), x_label=_("Month of receipt (JST)"),
            y_label=_("Requests")),
        "chart_on_time": charts.line_percent(
            categories=months, values=rates, title=_("On time (%), overdue open requests "
                                                     "counted as late"),
            x_label=_("Month of receipt (JST)"), y_label=_("On time (%)"),
            series_label=_("On-time rate")),
        "chart_days": charts.histogram(
            buckets=[b[2] for b in DAY_BUCKETS], counts=counts, title=_("Days to reply"),
            x_label=_("Days from receipt to reply"), y_label=_("Replies")),
    }


def report_csv(*, now: datetime | None = None, since: datetime | None = None,
               until: datetime | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in compliance_summary(now=now, since=since, until=until)["rows"]:
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return out.getvalue()
