import json

from django.core.management.base import BaseCommand

from requests_app.selectors.compliance import compliance_summary

COLUMNS = [
    ("month", "month"), ("type", "type"), ("received", "received"),
    ("replied_on_time", "on time"), ("replied_late", "late"),
    ("median_days_to_reply", "median d"), ("p90_days_to_reply", "p90 d"),
    ("propagation_within_48h", "48h ok"), ("propagation_late", "48h late"),
    ("overdue_now", "overdue"),
]


class Command(BaseCommand):
    help = "Compliance figures per month and request type (RULES P23), as text or JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options) -> None:
        summary = compliance_summary()
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        rows = [[str(row[key]) if row[key] is not None else "-" for key, _ in COLUMNS]
                for row in summary["rows"]]
        header = [title for _, title in COLUMNS]
        widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=False)]
        for line in [header, *rows]:
            self.stdout.write("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)))
        totals = summary["totals"]
        self.stdout.write(
            f"\nTotal received {totals.get('received', 0)}, on time {totals.get('replied_on_time', 0)}, "
            f"late {totals.get('replied_late', 0)}, on-time rate {totals.get('on_time_rate')}, "
            f"overdue now {totals.get('overdue_now', 0)}")
