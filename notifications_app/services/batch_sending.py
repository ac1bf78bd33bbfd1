"""Render once, send in batches (issue 20; DESIGN.md section 8): claimed outbox rows of the same
kind, language and context go to the ESP's batch API in one call per up to the ESP's limit
(Postmark 500, SendGrid 1000), rendered once with merge fields for the per-recipient values
(name, one-click unsubscribe URL) and per-recipient headers (Message-ID, RFC 8058
List-Unsubscribe). Each recipient's message id and status from `anymail_status.recipients` is
written on its own row, so tracking webhooks resolve per recipient.

At most once: the rows of a call are marked `submitted_at` before it. A worker killed between
the call and the status write leaves them `sending` with `submitted_at`; nothing sends those
again by itself (the redone batch sends only `queued` rows; the sweep marks them unconfirmed),
and the provider's tracking events mark them sent. A call the ESP answered with 429 or 5xx, or
that never reached it, accepted nothing: its rows go back to the queue.
"""

import html as html_lib
import json
import logging
from collections import defaultdict
from datetime import timedelta

import requests
from anymail.exceptions import AnymailAPIError
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection as database
from django.db import transaction
from urllib3.exceptions import NewConnectionError

from ccucaas_privacy import clock
from notifications_app import esp, rendering
from notifications_app.delivery_errors import error_describe, is_transient
from notifications_app.kinds import Category
from notifications_app.models import Delivery, OutboundEmail, Status
from notifications_app.services.outbox import conf, retry_backoff_seconds
from notifications_app.tokens import unsubscribe_url

logger = logging.getLogger(__name__)

MERGE_FIELDS = ("recipient_name", "unsubscribe_url")
_ACCEPTED = {"sent", "queued"}


def _name(row: OutboundEmail) -> str:
    user = row.user
    given = row.context.get("recipient_name")
    return given or ((user.get_full_name() or user.username) if user is not None else "")


def batch_groups(rows: list[OutboundEmail], caps: esp.Capabilities
                 ) -> tuple[list[list[OutboundEmail]], list[OutboundEmail]]:
    """(groups to send in batches, rows to send one by one). A group shares kind, language,
    category and context; a row without a name or user, or a marketing row on an ESP without
    per-recipient headers, goes alone."""
    if not caps.batch_limit:
        return [], rows
    groups: dict[tuple, list[OutboundEmail]] = defaultdict(list)
    singles = []
    for row in rows:
        if row.user is None or not _name(row) or "recipient_name" in row.context or (
                row.is_marketing and not caps.merge_headers):
            singles.append(row)
            continue
        key = (row.kind, row.language, row.category,
               json.dumps(row.context, sort_keys=True, ensure_ascii=False))
        groups[key].append(row)
    batched = []
    for group in groups.values():
        (batched.append(group) if len(group) > 1 else singles.extend(group))
    return batched, singles


def _render_once(row: OutboundEmail) -> tuple[str, str, str]:
    """The group's subject, text and HTML with merge fields for the per-recipient values."""
    base = {**row.context, "site_url": settings.SITE_URL.rstrip("/"),
            "language": row.language, "category": row.category}
    text_context = {**base, **{f: esp.MERGE_FIELD % f for f in MERGE_FIELDS}}
    html_context = {**base, **{f: esp.MERGE_FIELD % f"{f}_html" for f in MERGE_FIELDS}}
    if row.category != Category.MARKETING:
        text_context.pop("unsubscribe_url")
        html_context.pop("unsubscribe_url")
    subject, text, html = rendering.email_render(kind=row.kind, language=row.language,
                                                 context=text_context, html_context=html_context)
    merged = subject + text + html
    for field in MERGE_FIELDS:
        merged = merged.replace(esp.MERGE_FIELD % field, "").replace(
            esp.MERGE_FIELD % f"{field}_html", "")
    if "{{" in merged or "}}" in merged:
        # Text a person wrote contains braces an ESP would read as a merge field.
        raise ValueError("braces in the content")
    return subject, text, html


def _recipient_fields(row: OutboundEmail) -> tuple[dict[str, str], dict[str, str]]:
    """(merge data, headers) of one recipient."""
    name = _name(row)
    data = {"recipient_name": name, "recipient_name_html": html_lib.escape(name)}
    headers = {"Message-ID": rendering.message_id_for(row.public_id)}
    if row.is_marketing:
        url = unsubscribe_url(user_id=row.user_id)
        data.update(unsubscribe_url=url, unsubscribe_url_html=html_lib.escape(url))
        # RFC 8058 one-click unsubscribe, this recipient's own. Mandatory mail never has it.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return data, headers


def _message(rows: list[OutboundEmail], rendered: tuple[str, str, str],
             caps: esp.Capabilities) -> EmailMessage:
    subject, text, html = rendered
    first = rows[0]
    options = esp.message_options(kind=first.kind, category=first.category, caps=caps)
    if caps.name == "postmark":  # merge_data needs a stored template on Postmark
        alias = esp.postmark_template(name=f"{first.kind} ({first.language})", subject=subject,
                                      text=text, html=html)
        message = EmailMessage(subject="", body="", from_email=settings.DEFAULT_FROM_EMAIL,
                               to=[r.recipient_email for r in rows])
        message.template_id = alias
        message.merge_global_data = {}
    else:
        message = rendering.message_build(to=[r.recipient_email for r in rows], subject=subject,
                                          text=text, html=html, headers={}, metadata=None,
                                          tags=[])
    merge_data, merge_headers, merge_metadata = {}, {}, {}
    for row in rows:
        data, headers = _recipient_fields(row)
        merge_data[row.recipient_email] = data
        merge_headers[row.recipient_email] = headers
        merge_metadata[row.recipient_email] = {"outbound_email": str(row.public_id),
                                               "kind": row.kind}
    message.merge_data, message.merge_headers = merge_data, merge_headers
    message.merge_metadata = merge_metadata
    message.tags = options["tags"]
    message.esp_extra = options["esp_extra"]
    return message


def _chunks(rows: list[OutboundEmail], size: int) -> list[list[OutboundEmail]]:
    """Calls of at most `size` recipients, no address twice in one call (merge data is keyed
    by address)."""
    calls: list[tuple[list[OutboundEmail], set[str]]] = []
    for row in rows:
        address = row.recipient_email.lower()
        for call, addresses in calls:
            if len(call) < size and address not in addresses:
                call.append(row)
                addresses.add(address)
                break
        else:
            calls.append(([row], {address}))
    return [call for call, _addresses in calls]


def _never_reached(exc: BaseException) -> bool:
    """The call failed before the ESP could accept anything (no connection was made)."""
    cause = exc.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return True
    if isinstance(cause, requests.ConnectionError) and cause.args:
        return isinstance(getattr(cause.args[0], "reason", None), NewConnectionError)
    return False


def group_send(rows: list[OutboundEmail], *, connection, caps: esp.Capabilities) -> int:
    """Send one group through the batch API; returns the rows sent."""
    try:
        rendered = _render_once(rows[0])
    except ValueError:
        return -1  # the caller sends these rows one by one
    sent = 0
    for call in _chunks(sorted(rows, key=lambda r: r.pk), caps.batch_limit):
        sent += _call(call, rendered, connection=connection, caps=caps)
    return sent


def _call(rows: list[OutboundEmail], rendered, *, connection, caps) -> int:
    ids = [row.pk for row in rows]
    OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING).update(
        submitted_at=clock.now())
    try:
        message = _message(rows, rendered, caps)
        connection.send_messages([message])
    except Exception as exc:
        _call_failed(rows, exc)
        return 0
    return _record(rows, message.anymail_status.recipients)


def _call_failed(rows: list[OutboundEmail], exc: Exception) -> None:
    from notifications_app.tasks import send_outbound_emails

    ids = [row.pk for row in rows]
    is_api_error = isinstance(exc, AnymailAPIError)
    answered = is_api_error and exc.status_code is not None
    now = clock.now()
    if is_api_error and not answered and not _never_reached(exc):
        # No answer (a timeout after sending): perhaps sent. Never sent again by itself.
        logger.warning("Batch of %d emails: no answer from the ESP (%s); left for tracking "
                       "events", len(ids), error_describe(exc))
        OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING).update(
            last_error=error_describe(exc), updated_at=now)
        return
    attempts = max(row.attempts for row in rows)
    if is_transient(exc) and attempts < conf("MAX_ATTEMPTS"):
        # 429/5xx, or no connection: the ESP accepted nothing; try the batch again later.
        countdown = retry_backoff_seconds(attempts)
        logger.warning("Batch of %d emails: %s; retrying in %d s", len(ids),
                       error_describe(exc), countdown)
        OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING).update(
            status=Status.QUEUED, last_error=error_describe(exc), submitted_at=None,
            next_attempt_at=now + timedelta(seconds=countdown), updated_at=now)
        send_outbound_emails.apply_async((ids,), countdown=countdown)  # seconds to minutes
        return
    esp.postmark_templates_forget()  # perhaps a template deleted at the ESP: create it anew
    logger.warning("Batch of %d emails failed permanently", len(ids), exc_info=exc)
    with transaction.atomic():
        OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING).update(
            status=Status.FAILED, last_error=error_describe(exc), updated_at=now)
        Delivery.objects.filter(outbound_email_id__in=ids).update(status=Status.FAILED)


def outbox_rows_mark_sent(pairs: list[tuple[int, str]], *, now) -> None:
    """Mark rows sent with each row's own provider message id, [(row id, message id)], and
    their campaign deliveries with them (call it in the transaction that ends the send): one
    UPDATE per 500 rows joined to a VALUES list (PostgreSQL and SQLite 3.33+ alike); a row
    that left `sending` meanwhile (taken back by the sweep) is left alone, and so is its
    delivery. `bulk_update` would write a CASE with one branch per row, which the database
    evaluates for every row. (Locking the rows first, `SELECT ... FOR UPDATE`, writes every row
    once more: a million-user campaign took 772 s instead of 400 s.)"""
    meta = OutboundEmail._meta  # the Model _meta API is public (Django docs, "Model _meta API")
    table = meta.db_table
    at = meta.get_field("sent_at").get_db_prep_value(now, database, prepared=False)
    for start in range(0, len(pairs), 500):
        chunk = pairs[start:start + 500]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with database.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s, sent_at = %s, updated_at = %s, "  # noqa: S608
                f"last_error = '', provider_message_id = v.column2 "  # names from _meta, no input
                f"FROM (VALUES {values}) AS v "
                f"WHERE {table}.id = v.column1 AND {table}.status = %s",
                [Status.SENT, at, at, *(item for pair in chunk for item in pair), Status.SENDING])
    # the rows this call marked (locked by its UPDATE until the caller's commit), by primary key
    marked = list(OutboundEmail.objects.filter(pk__in=[pk for pk, _ in pairs], status=Status.SENT,
                                               sent_at=now).values_list("pk", flat=True))
    Delivery.objects.filter(outbound_email_id__in=marked).update(status=Status.SENT, sent_at=now)


def _record(rows: list[OutboundEmail], statuses: dict) -> int:
    """Each recipient's message id and status on its own row, with the campaign's delivery
    mirror, in one transaction."""
    by_address = {address.lower(): status for address, status in statuses.items()}
    sent, refused = [], defaultdict(list)
    for row in rows:
        status = by_address.get(row.recipient_email.lower())
        if status is not None and status.status in _ACCEPTED:
            row.provider_message_id = str(status.message_id or "")[:255]
            sent.append(row)
        else:
            refused[getattr(status, "status", None) or "unknown"].append(row.pk)
    now = clock.now()
    with transaction.atomic():
        outbox_rows_mark_sent([(row.pk, row.provider_message_id) for row in sent], now=now)
        for status, failed in refused.items():
            OutboundEmail.objects.filter(pk__in=failed, status=Status.SENDING).update(
                status=Status.FAILED, updated_at=now,
                last_error=f"The provider refused this recipient (status {status}).")
            Delivery.objects.filter(outbound_email_id__in=failed).update(status=Status.FAILED)
    return len(sent)

