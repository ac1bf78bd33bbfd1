"""Anymail's tracking webhook (`/anymail/<esp>/tracking/`, secured by ANYMAIL WEBHOOK_SECRET)
sends the `tracking` signal; this hands each event to the outbox service."""

from anymail.signals import AnymailTrackingEvent

from notifications_app.services.outbox import outbound_email_track


def on_anymail_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    outbound_email_track(
        message_id=event.message_id, event_type=event.event_type,
        metadata=event.metadata or {},
        description=event.description or event.mta_response or "",
        occurred_at=event.timestamp,
    )
