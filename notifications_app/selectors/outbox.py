"""Reads over the outbox."""

from datetime import datetime

from django.db.models import Q, QuerySet

from notifications_app.models import OutboundEmail, Status


def outbound_email_for_tracking(*, message_id: str, metadata: dict | None = None
                                ) -> OutboundEmail | None:
    """The row a provider's tracking event is about: by provider message ID, else by the
    outbox ID we sent along as metadata."""
    if message_id:
        row = OutboundEmail.objects.filter(provider_message_id=str(message_id)).first()
        if row is not None:
            return row
    public_id = (metadata or {}).get("outbound_email")
    if public_id:
        try:
            return OutboundEmail.objects.filter(public_id=public_id).first()
        except (ValueError, TypeError):  # not a UUID: not ours
            return None
    return None


def outbox_due(*, now: datetime) -> QuerySet[OutboundEmail]:
    """Queued rows to send now, oldest first: never tried yet, or their retry time has come
    (a row waiting out a retry backoff is left to its retry). Partial index
    notif_outbox_pending_idx."""
    return (OutboundEmail.objects.filter(status=Status.QUEUED)
            .filter(Q(attempts=0) | Q(next_attempt_at__lte=now))
            .order_by("next_attempt_at", "id"))


def outbox_stale(*, queued_before: datetime, claimed_before: datetime) -> QuerySet[OutboundEmail]:
    """Rows the sweep must hand to the queue again: queued but never picked up (the broker was
    down at commit, or the message was lost), or claimed by a worker that died mid-send."""
    return OutboundEmail.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__lte=queued_before)
        | Q(status=Status.SENDING, claimed_at__lte=claimed_before, submitted_at__isnull=True)
    ).order_by("next_attempt_at", "id")


def outbox_unconfirmed(*, claimed_before: datetime) -> QuerySet[OutboundEmail]:
    """Rows handed to the provider in a batch call whose answer was never recorded (the worker
    died between the call and the status write): perhaps sent, so never sent again by itself."""
    return OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lte=claimed_before,
                                        submitted_at__isnull=False)


def outbound_emails_needing_attention() -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(needs_staff_attention=True)
