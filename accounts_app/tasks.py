"""Beat tasks of the accounts app: thin wrappers around services, idempotent."""

from datetime import timedelta

from celery import shared_task

from accounts_app.services import data as services_data
from ccucaas_privacy import clock


@shared_task(name="accounts_app.tasks.usage_rollup_recent")
def usage_rollup_recent() -> int:
    """P06: recompute yesterday's and today's per-day usage (JST); safe to run any time."""
    today = clock.jst_date(clock.now())
    return sum(services_data.usage_rollup(day=day) for day in (today - timedelta(days=1), today))


@shared_task(name="accounts_app.tasks.visitor_logs_purge")
def visitor_logs_purge() -> int:
    """P10: delete visitor-log entries older than VISITOR_LOG_RETENTION_DAYS."""
    return services_data.visitor_logs_purge()


@shared_task(name="accounts_app.tasks.password_reset_send")
def password_reset_send(*, email: str) -> int:
    """Issue 17: look the address up and queue the reset email (outbox) in the background, so
    the page answers in the same time for a known and an unknown address. Idempotent enough:
    the outbox keys each email by its reset token, and a repeat only re-sends a fresh link."""
    from accounts_app.services.auth import password_reset_emails_queue

    return password_reset_emails_queue(email=email)
