"""Thin tasks: beat runs the sweep; the sweep claims rows (no ETAs)."""

from celery import shared_task


@shared_task(name="incidents_app.tasks.sweep_incident_deadlines")
def sweep_incident_deadlines() -> int:
    from incidents_app.sweep import incident_deadline_sweep

    return len(incident_deadline_sweep().sent)
