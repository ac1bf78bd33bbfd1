"""Thin tasks: take ids, call a service. Enqueued with transaction.on_commit by the services."""

from celery import shared_task

from notifications_app.delivery_errors import TransientSendError
from notifications_app.services import outbound_email_send, outbox_sweep


@shared_task(bind=True, name="notifications_app.tasks.send_outbound_email", acks_late=True)
def send_outbound_email(self, outbound_email_id: int) -> None:
    try:
        outbound_email_send(outbound_email_id=outbound_email_id)
    except TransientSendError as exc:
        # The row is back in `queued` with attempts counted; the service decides when to give
        # up, so the task itself retries without a limit. Countdowns are seconds to minutes.
        raise self.retry(exc=exc, countdown=exc.countdown, max_retries=None) from exc


@shared_task(name="notifications_app.tasks.sweep_outbox")
def sweep_outbox() -> int:
    return outbox_sweep()
