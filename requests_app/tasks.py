"""Celery tasks of requests_app: thin wrappers that call services."""

from celery import shared_task

from requests_app.sweep import deadline_sweep


@shared_task(name="requests_app.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict:
    """Beat runs this every minute; safe to run twice or concurrently (rows are claimed)."""
    report = deadline_sweep()
    return {"claimed": report.claimed, "sent": len(report.sent),
            "data_errors": len(report.data_errors), "failures": len(report.failures)}
