"""P23: the monthly compliance report emailed to privacy officers through the outbox."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from ccucaas_privacy import clock, staff
from ccucaas_privacy.rules import enforces
from notifications_app.kinds import Category, register_kind
from notifications_app.services.outbox import notification_queue
from requests_app.selectors.compliance import compliance_summary

KIND = "staff_compliance_report"


def kinds_register() -> None:
    register_kind(KIND, category=Category.MANDATORY,
                  description="Monthly compliance report to privacy officers (P23)")


def _previous_month(now: datetime) -> str:
    today = clock.jst_date(now)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@enforces("P23")
def compliance_report_send(*, now: datetime | None = None) -> list:
    """Email last month's report to every privacy officer, once per month and recipient.

    Safe to run daily (beat) or twice: the outbox's idempotency key is
    `compliance-report:<YYYY-MM>` + recipient + kind. Does nothing before the configured day.
    """
    now = clock.now() if now is None else now
    if clock.jst_date(now).day < settings.COMPLIANCE_REPORT_DAY:
        return []
    month = _previous_month(now)
    summary = compliance_summary(now=now)
    rows = [row for row in summary["rows"] if row["month"] <= month]
    context = {"month": month, "totals": summary["totals"], "rows": rows,
               "report_path": reverse("admin:requests_app_datasubjectrequest_compliance")}
    with transaction.atomic():
        return [notification_queue(kind=KIND, cause=f"compliance-report:{month}",
                                   context=context, user=officer)
                for officer in staff.privacy_officers() if officer.email]
