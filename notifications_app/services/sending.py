"""Sending outbox rows (DESIGN.md section 8; RULES.md P02, P19): one row, a batch, or a drain
of everything due. Sending claims the row with a conditional update, so a duplicate task, a
retry and a sweep never send one row twice.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from ccucaas_privacy import clock
from consent_app import selectors as consent_selectors
from notifications_app import esp, rendering
from notifications_app.delivery_errors import TransientSendError, error_describe, is_transient
from notifications_app.models import Delivery, OutboundEmail, Status
from notifications_app.selectors import outbox as selectors
from notifications_app.services import batch_sending, dispatch
from notifications_app.services.outbox import (
    MARKETING_PURPOSE,
    _marketing_block_reason,
    conf,
    retry_backoff_seconds,
)
from notifications_app.tokens import unsubscribe_url

logger = logging.getLogger(__name__)



# A row is due for a drain when its `next_attempt_at` (the web process's clock) is at most
# this far ahead of the worker's clock.
DRAIN_CLOCK_SKEW_SECONDS = 2



def _finish(row: OutboundEmail, **fields: Any) -> OutboundEmail:
    """Leave `sending`; a row another sweep has taken back meanwhile is left alone. A campaign's
    delivery mirror follows in the same transaction."""
    fields["updated_at"] = clock.now()
    with transaction.atomic():
        if OutboundEmail.objects.filter(pk=row.pk, status=Status.SENDING).update(**fields):
            for name, value in fields.items():
                setattr(row, name, value)
            Delivery.objects.filter(outbound_email_id=row.pk).update(
                status=row.status, sent_at=row.sent_at)
    return row



def _render_context(row: OutboundEmail) -> dict[str, Any]:
    user = row.user
    name = (user.get_full_name() or user.username) if user is not None else ""
    context = {**row.context, "site_url": settings.SITE_URL.rstrip("/"),
               "recipient_name": row.context.get("recipient_name") or name,
               "language": row.language, "category": row.category}
    if row.is_marketing and user is not None:
        context["unsubscribe_url"] = unsubscribe_url(user_id=user.pk)
    return context



def outbound_email_render(*, outbound_email: OutboundEmail) -> tuple[str, str, str]:
    """(subject, text, html) of one outbox row, as it is sent (also what the admin shows staff
    instead of the row's raw context)."""
    return rendering.email_render(kind=outbound_email.kind, language=outbound_email.language,
                                  context=_render_context(outbound_email))


def _message_for(row: OutboundEmail):
    context = _render_context(row)
    subject, text, html = rendering.email_render(kind=row.kind, language=row.language,
                                                 context=context)
    headers = {"Message-ID": rendering.message_id_for(row.public_id)}
    if row.is_marketing:
        # RFC 8058 one-click unsubscribe. Mandatory mail never carries these (P19).
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # What the message carries follows what the configured ESP accepts (Postmark: one tag,
    # its message streams).
    options = esp.message_options(kind=row.kind, category=row.category)
    return rendering.message_build(
        to=row.recipient_email, subject=subject, text=text, html=html, headers=headers,
        metadata={"outbound_email": str(row.public_id), "kind": row.kind}, **options,
    )



def _provider_message_id(message) -> str:
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if message_id is None:
        return ""
    if isinstance(message_id, set):  # one ID per recipient; we send to one
        message_id = next(iter(message_id), "")
    return str(message_id)[:255]



def outbound_email_send(*, outbound_email_id: int) -> OutboundEmail | None:
    """Send one queued row. Returns None when the row is not queued (sent, or another worker
    holds it). Raises TransientSendError when the task should retry later.

    Deliberately not one transaction: no database transaction stays open while the provider is
    called; each state change is a single conditional UPDATE.
    """
    now = clock.now()
    claimed = OutboundEmail.objects.filter(pk=outbound_email_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
    if not claimed:
        return None
    row = OutboundEmail.objects.select_related("user").get(pk=outbound_email_id)
    if row.attempts > conf("MAX_ATTEMPTS"):
        return _finish(row, status=Status.FAILED,
                       last_error=f"Gave up after {row.attempts - 1} attempts. {row.last_error}")
    if row.is_marketing:
        blocked = _marketing_block_reason(row.user)
        if blocked:  # consent withdrawn between queueing and sending
            return _finish(row, status=Status.SUPPRESSED, suppressed_reason=blocked)
    try:
        message = _message_for(row)
        message.send()
    except Exception as exc:
        if is_transient(exc) and row.attempts < conf("MAX_ATTEMPTS"):
            countdown = retry_backoff_seconds(row.attempts)
            _finish(row, status=Status.QUEUED, last_error=error_describe(exc),
                    next_attempt_at=clock.now() + timedelta(seconds=countdown))
            raise TransientSendError(error_describe(exc), countdown=countdown) from exc
        logger.warning("Outbound email %s failed permanently", row.pk, exc_info=True)
        return _finish(row, status=Status.FAILED, last_error=error_describe(exc))
    return _finish(row, status=Status.SENT, sent_at=clock.now(), last_error="",
                   provider_message_id=_provider_message_id(message))



def outbound_emails_send(*, outbound_email_ids: list[int]) -> int:
    """Send many queued rows in one go: one claim, one load, one provider connection, one
    status write. Rows already taken (sent, or claimed by another worker) are skipped, so a
    duplicate task or the sweep never sends a row twice. A row that fails is finished on its
    own (retried later or failed) without holding back the others. Returns the rows sent."""
    return _send_claimed(_claim(OutboundEmail.objects.filter(pk__in=outbound_email_ids,
                                                             status=Status.QUEUED)))



def _claim(queued, *, limit: int | None = None) -> list[OutboundEmail]:
    """Take (at most `limit` of) the rows of `queued`, a queryset filtered on status `queued`,
    for this worker: `sending`, one more attempt. Rows another worker holds are skipped, never
    waited for; a row another worker claimed meanwhile fails the status filter again. Returns
    the claimed rows with their users, read by the locking query itself."""
    now = clock.now()
    with transaction.atomic():
        rows = list(queued.select_related("user")
                    .select_for_update(skip_locked=True, of=("self",))[:limit])
        OutboundEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
    for row in rows:
        row.status, row.attempts, row.claimed_at, row.updated_at = (
            Status.SENDING, row.attempts + 1, now, now)
    return sorted(rows, key=lambda row: row.pk)



def _send_claimed(rows: list[OutboundEmail]) -> int:
    from django.core.mail import get_connection

    consenting = consent_selectors.users_with_consent(
        user_ids=[row.user_id for row in rows if row.is_marketing and row.user_id],
        purpose=MARKETING_PURPOSE)
    ready = [row for row in rows if _sendable(row, consenting=consenting)]
    caps = esp.capabilities()
    groups, singles = batch_sending.batch_groups(ready, caps)
    sent: list[tuple[OutboundEmail, str]] = []
    batched = 0
    with get_connection() as email_connection:
        for group in groups:  # render once, one ESP call per up to its limit
            count = batch_sending.group_send(group, connection=email_connection, caps=caps)
            if count < 0:
                singles.extend(group)
            else:
                batched += count
        for row in singles:
            message = _batch_message(row)
            if message is None:
                continue
            try:
                email_connection.send_messages([message])
            except Exception as exc:
                _batch_failure(row, exc)
                continue
            sent.append((row, _provider_message_id(message)))
    _batch_mark_sent(sent)
    return len(sent) + batched



def _sendable(row: OutboundEmail, *, consenting: set[int]) -> bool:
    """Whether a claimed row goes out; a row that must not is finished instead."""
    if row.attempts > conf("MAX_ATTEMPTS"):
        _finish(row, status=Status.FAILED,
                last_error=f"Gave up after {row.attempts - 1} attempts. {row.last_error}")
        return False
    if row.is_marketing:
        blocked = _marketing_block_reason(row.user, consented=row.user_id in consenting)
        if blocked:  # consent withdrawn between queueing and sending
            _finish(row, status=Status.SUPPRESSED, suppressed_reason=blocked)
            return False
    return True



def _batch_message(row: OutboundEmail):
    """The message of a claimed row, or None when the row was finished instead."""
    try:
        return _message_for(row)
    except Exception as exc:  # a template that no longer renders: fail this row only
        _batch_failure(row, exc)
        return None



def _batch_failure(row: OutboundEmail, exc: Exception) -> None:
    from notifications_app.tasks import send_outbound_email

    if is_transient(exc) and row.attempts < conf("MAX_ATTEMPTS"):
        countdown = retry_backoff_seconds(row.attempts)
        logger.warning("Outbound email %s: %s; retrying in %d s", row.pk, error_describe(exc),
                       countdown)
        _finish(row, status=Status.QUEUED, last_error=error_describe(exc),
                next_attempt_at=clock.now() + timedelta(seconds=countdown))
        send_outbound_email.apply_async((row.pk,), countdown=countdown)  # seconds to minutes
        return
    logger.warning("Outbound email %s failed permanently", row.pk, exc_info=exc)
    _finish(row, status=Status.FAILED, last_error=error_describe(exc))



def _batch_mark_sent(sent: list[tuple[OutboundEmail, str]]) -> None:
    """Mark the sent rows in one statement; a row the sweep took back meanwhile is left alone.
    The campaign's delivery mirror follows in the same transaction."""
    if not sent:
        return
    with transaction.atomic():
        batch_sending.outbox_rows_mark_sent([(row.pk, provider_id) for row, provider_id in sent],
                                            now=clock.now())



def outbox_drain() -> int:
    """Send the queued rows that are due (the `drain` dispatch of `notifications_app.services.dispatch`),
    SEND_BATCH at a time. Clears the drain flag before reading, so a row committed meanwhile is
    either read here or dispatches a drain of its own. A full batch publishes the next drain
    before sending, so the next free worker takes the next batch while this one sends. Rows
    waiting out a retry backoff are left to their retry. Returns the rows sent."""
    dispatch.drain_started()
    size = conf("SEND_BATCH")
    due = selectors.outbox_due(now=clock.now() + timedelta(seconds=DRAIN_CLOCK_SKEW_SECONDS))
    claimed = _claim(due, limit=size)
    if len(claimed) >= size:
        dispatch.drain_request()
    return _send_claimed(claimed)
