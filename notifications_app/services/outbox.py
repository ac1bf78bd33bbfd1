"""Every state change of the outbox but the sending (DESIGN.md section 8; RULES.md P02, P17,
P19, P25): queueing, the sweep, retries, provider tracking and one-click unsubscribe.

`notification_queue` is the one way any app sends email: it writes the row in the caller's
transaction and hands it to Celery after commit (`services.sending` sends it).
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from ccucaas_privacy.commit_batch import CommitBatch
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from consent_app import selectors as consent_selectors
from consent_app.services import consent_withdraw
from notifications_app import rendering
from notifications_app.kinds import Category, kind_get
from notifications_app.models import Delivery, OutboundEmail, Status, TrackingStatus
from notifications_app.selectors import outbox as selectors
from notifications_app.services import dispatch
from notifications_app.tokens import invalid_token_error, unsubscribe_token_read

logger = logging.getLogger(__name__)



MARKETING_PURPOSE = "marketing_email"



LANGUAGES = {code for code, _name in settings.LANGUAGES}



FALLBACK_LANGUAGE = "ja"



def conf(name: str) -> Any:
    return settings.NOTIFICATIONS[name]


def retry_backoff_seconds(attempts: int) -> int:
    """How long a transient failure waits before attempt `attempts` + 1 (doubling, capped)."""
    return min(conf("RETRY_BASE_SECONDS") * 2 ** max(attempts - 1, 0), conf("RETRY_MAX_SECONDS"))



def _idempotency_key(*, cause: str, recipient: str, kind: str) -> str:
    return hashlib.sha256("\x1f".join((cause, recipient, kind)).encode()).hexdigest()



def _language_for(*, user, language: str | None) -> str:
    chosen = language or (getattr(user, "language", None) if user is not None else None)
    return chosen if chosen in LANGUAGES else FALLBACK_LANGUAGE



def _recipient_for(*, user, email: str | None) -> str:
    address = (email or (user.email if user is not None else "") or "").strip()
    if not address:
        raise DomainError(_("The recipient has no email address; nothing was queued."),
                          code="recipient_missing")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise DomainError(_("“%(email)s” is not a valid email address; nothing was queued.")
                          % {"email": address}, code="recipient_invalid") from exc
    return address



def _context_checked(context: Any) -> dict[str, Any]:
    if not isinstance(context, dict):
        raise DomainError(_("The email context must be a JSON object; nothing was queued."),
                          code="context_invalid")
    try:
        encoded = json.dumps(context, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("The email context is not JSON-serialisable (%(error)s); pass "
                            "strings, numbers, lists and objects. Nothing was queued.")
                          % {"error": exc}, code="context_invalid") from exc
    if json.loads(encoded) != context:
        raise DomainError(_("The email context changes in a JSON round trip (tuples, non-string "
                            "keys); pass plain JSON values. Nothing was queued."),
                          code="context_invalid")
    size, limit = len(encoded.encode()), conf("MAX_CONTEXT_BYTES")
    if size > limit:
        raise DomainError(_("The email context is %(size)d bytes; the limit is %(limit)d. "
                            "Nothing was queued.") % {"size": size, "limit": limit},
                          code="context_too_large")
    return context



@enforces("P02", "P19")
def _marketing_block_reason(user, *, consented: bool | None = None) -> str:
    """Why a marketing email must not go to this recipient (P02, P19), or ''.
    Stored in English: the outbox is a staff record, like the error texts beside it.
    `consented` is the current consent when the caller looked it up for a whole batch."""
    if user is None:
        return "Marketing email goes only to accounts with marketing consent."
    if not user.is_active:
        return "The account is not active."
    if consented is None:
        consented = consent_selectors.consent_is_granted(user=user, purpose=MARKETING_PURPOSE)
    if not consented:
        return "The user has not consented to marketing email (or withdrew it)."
    return ""



# Rows queued in one transaction are handed to the workers together after its commit
# (`notifications_app.services.dispatch`); rows of a rolled-back transaction or savepoint never are.
_committed_rows = CommitBatch(lambda ids: dispatch.rows_committed(ids))



def _enqueue_on_commit(outbound_email_id: int) -> None:
    """Hand the row to a worker once the caller's transaction commits (at once outside one)."""
    _committed_rows.add(outbound_email_id)



def _kind_checked(*, kind: str, cause: str):
    """The registered kind, or DomainError for an unknown kind or a bad cause."""
    spec = kind_get(kind)
    if spec is None:
        raise DomainError(_("Unknown email kind “%(kind)s”; register it with "
                            "notifications_app.kinds.register_kind.") % {"kind": kind},
                          code="unknown_kind")
    if not cause or len(cause) > 255:
        raise DomainError(_("Every email needs a cause of at most 255 characters."),
                          code="cause_invalid")
    return spec



def notification_queue(*, kind: str, cause: str, context: dict, user=None,
                       email: str | None = None, language: str | None = None,
                       enqueue: bool = True) -> OutboundEmail:
    """Write one outbox row in the caller's transaction; send it after commit.

    The recipient is `user` (address and language from the account) or a bare `email` with
    `language`. Calling again with the same cause, recipient and kind returns the same row and
    sends nothing more. Bad input raises DomainError and writes nothing (the one write, the row,
    is its own savepoint: no outer atomic block needed). `enqueue=False` is for
    a caller that sends the rows itself after commit (a campaign batch); the sweep still
    covers a row nobody sent.
    """
    row = notification_build(kind=kind, cause=cause, context=context, user=user, email=email,
                             language=language)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Queued before (a repeated call, or a concurrent transaction): that row is the email.
        existing = OutboundEmail.objects.filter(idempotency_key=row.idempotency_key).first()
        if existing is None:
            raise
        return existing
    if enqueue:
        notification_inserted(row)
    return row



def notification_build(*, kind: str, cause: str, context: dict, user=None,
                       email: str | None = None, language: str | None = None) -> OutboundEmail:
    """The outbox row `notification_queue` would write, checked but not saved.

    For a caller whose cause names a row its own transaction inserts (a new request's receipt):
    no earlier row can exist, so it saves this row in its own transaction (no savepoint) and
    then calls `notification_inserted(row)`. Should a row with the same cause exist all the same, the
    IntegrityError rolls back the caller's transaction.
    """
    spec = _kind_checked(kind=kind, cause=cause)
    recipient = _recipient_for(user=user, email=email)
    lang = _language_for(user=user, language=language)
    context = _context_checked(context)
    _templates_checked(kind=kind, language=lang)

    key = _idempotency_key(cause=cause,
                           recipient=f"user:{user.pk}" if user is not None
                           else f"email:{recipient.lower()}", kind=kind)
    blocked = _marketing_block_reason(user) if spec.category == Category.MARKETING else ""
    now = clock.now()
    return OutboundEmail(
        user=user, recipient_email=recipient, kind=kind, category=spec.category,
        language=lang, cause=cause, context=context, idempotency_key=key,
        status=Status.SUPPRESSED if blocked else Status.QUEUED, suppressed_reason=blocked,
        next_attempt_at=None if blocked else now,
    )



def _templates_checked(*, kind: str, language: str) -> None:
    try:
        rendering.templates_check(kind=kind, language=language)
    except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
        raise DomainError(_("The templates of email kind “%(kind)s” are missing or broken "
                            "(%(error)s); nothing was queued.") % {"kind": kind, "error": exc},
                          code="template_missing") from exc


@enforces("P02", "P19")
def notifications_queue_many(*, kind: str, cause: str, users: list,
                             context_for: Callable[[str], dict],
                             enqueue: bool = True) -> dict[int, tuple[int, str]]:
    """Queue one email of `kind` to each of `users` in one go (a campaign batch, or anything
    else that mails many people): the kind is checked once, the templates and the context
    (`context_for(language)`) once per language, the rows written with one `bulk_create` that
    ignores conflicts, so a redone batch queues nothing new (the idempotency keys are those of
    `notification_queue`: one email per cause, recipient and kind). Marketing mail to users
    without consent is written suppressed (P02, P19). A user without a valid address gets no
    row. Returns {user id: (outbox row id, status)} of every user with a row, new or earlier.
    `enqueue=False`: the caller sends the rows after commit (the sweep covers any it does not).
    """
    spec = _kind_checked(kind=kind, cause=cause)
    contexts: dict[str, dict] = {}
    consenting = consent_selectors.users_with_consent(
        user_ids=[u.pk for u in users], purpose=MARKETING_PURPOSE) if spec.is_marketing else set()
    now, rows = clock.now(), []
    for user in users:
        try:
            recipient = _recipient_for(user=user, email=None)
        except DomainError:
            logger.warning("User %s has no valid email address: no %s email", user.pk, kind)
            continue
        lang = _language_for(user=user, language=None)
        if lang not in contexts:
            _templates_checked(kind=kind, language=lang)
            contexts[lang] = _context_checked(context_for(lang))
        blocked = _marketing_block_reason(user, consented=user.pk in consenting) \
            if spec.is_marketing else ""
        rows.append(OutboundEmail(
            user=user, recipient_email=recipient, kind=kind, category=spec.category,
            language=lang, cause=cause, context=contexts[lang],
            idempotency_key=_idempotency_key(cause=cause, recipient=f"user:{user.pk}", kind=kind),
            status=Status.SUPPRESSED if blocked else Status.QUEUED, suppressed_reason=blocked,
            next_attempt_at=None if blocked else now))
    with transaction.atomic():
        OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    found = {key: (pk, user_id, status) for key, pk, user_id, status in
             OutboundEmail.objects.filter(idempotency_key__in=[r.idempotency_key for r in rows])
             .values_list("idempotency_key", "pk", "user_id", "status")}
    if enqueue:
        for pk, _user, status in found.values():
            if status == Status.QUEUED:
                _enqueue_on_commit(pk)
    return {user_id: (pk, status) for pk, user_id, status in found.values()}



def notification_inserted(row: OutboundEmail) -> None:
    """Hand a just-inserted row to the workers after the commit (a suppressed one: never)."""
    if row.status == Status.QUEUED:
        _enqueue_on_commit(row.pk)



@transaction.atomic
def outbox_sweep(*, limit: int | None = None) -> int:
    """Hand rows stuck in queued or sending back to the queue (minute-ly, by beat).

    `sending` is stale only after longer than the task's hard time limit, so the worker that
    claimed it is gone; the claim in `outbound_email_send` keeps a re-queued row single.
    """
    now = clock.now()
    stale = selectors.outbox_stale(
        queued_before=now - timedelta(seconds=conf("STALE_QUEUED_SECONDS")),
        claimed_before=now - timedelta(seconds=conf("STALE_SENDING_SECONDS")),
    ).select_for_update(skip_locked=True)
    ids = list(stale.values_list("pk", flat=True)[: limit or conf("SWEEP_BATCH")])
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=Status.QUEUED, next_attempt_at=now, claimed_at=None, updated_at=now)
    for pk in ids:
        _enqueue_on_commit(pk)
    _unconfirmed_settle(claimed_before=now - timedelta(seconds=conf("STALE_SENDING_SECONDS")))
    return len(ids)


def _unconfirmed_settle(*, claimed_before) -> int:
    """Rows of a batch call whose answer was lost are not sent again (at most once): they fail
    as unconfirmed, mandatory ones flagged for staff, until a tracking event of the provider
    shows they went out (`outbound_email_track` then marks them sent)."""
    rows = selectors.outbox_unconfirmed(claimed_before=claimed_before)
    now = clock.now()
    note = ("Handed to the provider, but the worker stopped before its answer was recorded: "
            "not sent again automatically (it may have gone out). A delivery event from the "
            "provider marks it sent; otherwise retry it after checking the provider's log.")
    flagged = rows.filter(category=Category.MANDATORY).update(
        status=Status.FAILED, last_error=note, needs_staff_attention=True, updated_at=now)
    return flagged + rows.update(status=Status.FAILED, last_error=note, updated_at=now)



@transaction.atomic
def outbound_email_retry(*, outbound_email: OutboundEmail) -> OutboundEmail:
    """Staff send a failed row again (admin action), with a fresh set of attempts."""
    now = clock.now()
    updated = OutboundEmail.objects.filter(pk=outbound_email.pk, status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=now, claimed_at=None,
        submitted_at=None, updated_at=now)
    if not updated:
        raise ConflictError(_("Only failed emails can be retried."), code="not_failed")
    _enqueue_on_commit(outbound_email.pk)
    outbound_email.refresh_from_db()
    return outbound_email



_TRACKED = {
    "delivered": TrackingStatus.DELIVERED,
    "bounced": TrackingStatus.BOUNCED,
    "rejected": TrackingStatus.REJECTED,
    "complained": TrackingStatus.COMPLAINED,
}



_UNDELIVERED = {TrackingStatus.BOUNCED, TrackingStatus.REJECTED}



@transaction.atomic
def outbound_email_track(*, message_id: str | None, event_type: str,
                         metadata: dict | None = None, description: str = "",
                         occurred_at=None) -> OutboundEmail | None:
    """Record a provider's delivery event (anymail tracking webhook). A mandatory email that
    bounced or was rejected is flagged for staff: it may be a notice that must reach the user."""
    tracking = _TRACKED.get(event_type)
    if tracking is None:
        return None
    found = selectors.outbound_email_for_tracking(message_id=message_id or "", metadata=metadata)
    if found is None:
        return None
    row = OutboundEmail.objects.select_for_update().get(pk=found.pk)
    fields = ["tracking_status", "tracking_detail", "tracked_at", "needs_staff_attention",
              "updated_at"]
    if row.submitted_at is not None and row.status in (Status.SENDING, Status.FAILED):
        # A batch call whose answer was lost: the provider's event proves it took the email.
        row.status, row.sent_at, row.last_error = Status.SENT, occurred_at or clock.now(), ""
        row.needs_staff_attention = False
        fields += ["status", "sent_at", "last_error"]
        Delivery.objects.filter(outbound_email_id=row.pk).update(status=Status.SENT,
                                                                 sent_at=row.sent_at)
    if tracking == TrackingStatus.DELIVERED and row.tracking_status not in ("", tracking):
        return row  # a late "delivered" never hides a bounce or a complaint
    row.tracking_status = tracking
    row.tracking_detail = (description or "")[:2000]
    row.tracked_at = occurred_at or clock.now()
    if row.category == Category.MANDATORY and tracking in _UNDELIVERED:
        row.needs_staff_attention = True
    row.save(update_fields=fields)
    return row



def unsubscribe_user(*, token: str):
    """The account a one-click token names (no change). Raises InvalidUnsubscribeToken."""
    user = get_user_model().objects.filter(pk=unsubscribe_token_read(token)).first()
    if user is None:  # a genuine token of an account that is gone
        raise invalid_token_error()
    return user



@enforces("P02", "P19")
@transaction.atomic
def marketing_unsubscribe(*, token: str, ip: str | None = None, user_agent: str = ""):
    """RFC 8058 one-click: withdraw marketing consent (P02) and drop queued marketing mail.
    Mandatory mail is untouched: no unsubscribe can block it (P19)."""
    user = unsubscribe_user(token=token)
    consent_withdraw(user=user, purpose=MARKETING_PURPOSE, channel="email_link", ip=ip,
                     user_agent=user_agent)
    OutboundEmail.objects.filter(user=user, category=Category.MARKETING,
                                 status=Status.QUEUED).update(
        status=Status.SUPPRESSED, updated_at=clock.now(),
        suppressed_reason="The user unsubscribed from marketing email.")
    return user
