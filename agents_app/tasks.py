"""Thin Celery tasks of agents_app: load by id, call the service (idempotent)."""

from celery import shared_task

from agents_app import callbacks


@shared_task(acks_late=True)
def callback_deliver(callback_id: int) -> str | None:
    row = callbacks.callback_deliver(callback_id=callback_id)
    return row.state if row else None


@shared_task
def drp_sweep() -> dict[str, int]:
    return callbacks.drp_sweep()
