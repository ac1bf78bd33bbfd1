"""Thin tasks: take ids, call a service. Enqueued with transaction.on_commit by the services."""

from celery import shared_task

from notifications_app.delivery_errors import TransientSendError
from notifications_app.services.outbox import outbox_sweep
from notifications_app.services.sending import (
    outbound_email_send,
    outbound_emails_send,
    outbox_drain,
)


@shared_task(bind=True, name="notifications_app.tasks.send_outbound_email", acks_late=True)
def send_outbound_email(self, outbound_email_id: int) -> None:
    try:
        outbound_email_send(outbound_email_id=outbound_email_id)
    except TransientSendError as exc:
        # The row is back in `queued` with attempts counted; the service decides when to give
        # up, so the task itself retries without a limit. Countdowns are seconds to minutes.
        raise self.retry(exc=exc, countdown=exc.countdown, max_retries=None) from exc


@shared_task(name="notifications_app.tasks.send_outbound_emails", acks_late=True)
def send_outbound_emails(outbound_email_ids: list[int]) -> int:
    """Rows committed together, sent together; each row is claimed, so a redelivery after a
    crash sends only what is still queued."""
    return outbound_emails_send(outbound_email_ids=outbound_email_ids)


@shared_task(name="notifications_app.tasks.drain_outbox", acks_late=True)
def drain_outbox() -> int:
    """Send every queued row that is due (`notifications_app.services.dispatch`); safe to run twice:
    each row is claimed before it is sent."""
    return outbox_drain()


@shared_task(name="notifications_app.tasks.sweep_outbox")
def sweep_outbox() -> int:
    return outbox_sweep()


# --- campaigns (issue 10) -------------------------------------------------------------------

@shared_task(name="notifications_app.tasks.campaign_fan_out", acks_late=True)
def campaign_fan_out(campaign_id: int) -> int:
    from notifications_app.services.campaigns import campaign_fan_out as fan_out

    return fan_out(campaign_id=campaign_id)


@shared_task(name="notifications_app.tasks.campaign_batch", acks_late=True)
def campaign_batch(campaign_id: int, after_pk: int, upto_pk: int) -> int:
    """Queue then send one batch. Redelivered after a crash, it queues nothing new and sends
    only the rows still queued."""
    from notifications_app.services.campaigns import campaign_batch_queue, campaign_batch_send

    ids = campaign_batch_queue(campaign_id=campaign_id, after_pk=after_pk, upto_pk=upto_pk)
    return campaign_batch_send(outbound_email_ids=ids)


@shared_task(name="notifications_app.tasks.watch_campaigns")
def watch_campaigns() -> int:
    from notifications_app.services.campaigns import campaigns_watch

    return campaigns_watch()
