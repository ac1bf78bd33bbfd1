"""Celery tasks of automation_app: thin, take ids, safe to run twice (rows are claimed)."""

from celery import shared_task


@shared_task(name="automation_app.tasks.automation_run", ignore_result=True)
def automation_run(run_id: int) -> str:
    from automation_app.services.handling import automation_run as run

    row = run(run_id=run_id)
    return row.status if row is not None else "not_due"


@shared_task(name="automation_app.tasks.automation_sweep", ignore_result=True)
def automation_sweep() -> int:
    """Beat runs this every minute: cooling-off deletions whose period ended, lost runs."""
    from automation_app.services.handling import automation_sweep as sweep

    return sweep()
