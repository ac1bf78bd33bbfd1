import json

from django.core.management.base import BaseCommand

from requests_app.services.sweep import deadline_sweep


class Command(BaseCommand):
    help = "Run one pass of the deadline sweep (what Celery beat runs every minute)."

    def handle(self, *args, **options) -> None:
        report = deadline_sweep()
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.data_errors or report.failures:
            self.stderr.write(self.style.WARNING(
                f"{len(report.data_errors)} request(s) with corrupt deadlines, "
                f"{len(report.failures)} failure(s): see the log and the admin."))
