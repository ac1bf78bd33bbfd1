"""Every change to a data-subject request (DESIGN sections 4 and 5; RULES.md P21, P24, P26).

Each service is one transaction: it locks the request, checks the transition table
(`requests_app.transitions`), changes the row, appends a RequestEvent, recomputes
`next_check_at` and queues the subject's email through the outbox. An illegal transition
raises ConflictError and changes nothing.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ccucaas_privacy import clock, staff
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from notifications_app.services import notification_inserted
from requests_app import deadlines, selectors, transitions
from requests_app.details import details_clean
from requests_app.models import (
    Channel,
    DataSubjectRequest,
    ReferenceCounter,
    RequestEvent,
    RequestType,
    Status,
)
from requests_app.notify import notify_assignee, notify_subject, receipt_build
from requests_app.verification import VerificationSent, challenge_issue

REPLY_MAX_CHARS = 20000
ATTACHMENTS_MAX = 20


class DuplicateRequestError(ConflictError):
    code = "duplicate_request"


def _now(now: datetime | None) -> datetime:
    return clock.now() if now is None else clock.to_jst(now).astimezone(UTC)


def _next_reference(at: datetime) -> str:
    """DSR-YYYY-NNNNNN: the JST year of receipt and a number that never repeats.

    On PostgreSQL the number comes from the sequence `REFERENCE_SEQUENCE`, which migration
    0010 creates (after every number already used): it locks nothing, so filings never queue
    behind each other, and it counts on across years (a rolled-back filing leaves a gap).
    Elsewhere (SQLite, which serialises writers anyway) a counter row per JST year is
    incremented inside the filing's transaction.
    """
    year = clock.jst_date(at).year
    number = _pg_next_number() if connection.vendor == "postgresql" else _counter_next(year)
    return f"DSR-{year}-{number:06d}"


REFERENCE_SEQUENCE = "requests_app_reference"  # created by migration 0010


def _pg_next_number() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [REFERENCE_SEQUENCE])
        return cursor.fetchone()[0]


def _counter_next(year: int) -> int:
    for _attempt in range(3):
        if ReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1):
            return ReferenceCounter.objects.get(year=year).last_number
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year, last_number=1)
            return 1
        except IntegrityError:
            continue  # another filing created the year's row first; take the next number
    raise RuntimeError("could not allocate a request reference")  # pragma: no cover


def _lock(request: DataSubjectRequest) -> DataSubjectRequest:
    return (DataSubjectRequest.objects.select_for_update(of=("self",))
            .select_related("subject", "assignee").get(pk=request.pk))


def _check(request: DataSubjectRequest, action: str) -> None:
    if not transitions.can(action, request.status):
        raise ConflictError(
            _("This request is %(status)s: %(action)s is not possible now.") % {
                "status": request.get_status_display(), "action": _action_label(action)},
            code="illegal_transition",
            details={"status": [request.status], "action": [action]},
        )


def _action_label(action: str) -> str:
    labels = {
        "send_verification": _("sending a verification email"),
        "verify_identity": _("identity verification"),
        "expire": _("expiry"),
        "assign": _("assignment"),
        "start_review": _("starting the review"),
        "reply": _("a reply"),
        "reject": _("rejection"),
        "withdraw": _("withdrawal"),
        "complete": _("completion"),
    }
    return labels[action]


def _record(request: DataSubjectRequest, *, action: str, actor, now: datetime,
            from_status: str, note: str = "", data: dict | None = None) -> RequestEvent:
    request.next_check_at = deadlines.next_check_at(request, now=now)
    request.save()
    return RequestEvent.objects.create(
        request=request, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=from_status, to_status=request.status, note=note, data=data or {},
        created_at=now,
    )


def _transition(request: DataSubjectRequest, *, action: str, actor, now: datetime,
                note: str = "", data: dict | None = None) -> RequestEvent:
    from_status = request.status
    request.status = transitions.target(action, from_status)
    return _record(request, action=action, actor=actor, now=now, from_status=from_status,
                   note=note, data=data)


def _subject_for_email(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def _require_text(value: str, *, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError(_("This field is required."), details={field: [_("This field is required.")]})
    if len(value) > limit:
        message = _("At most %(limit)d characters.") % {"limit": limit}
        raise DomainError(message, details={field: [message]})
    return value


@enforces("P21", "P24", "P26")
def request_file(
    *,
    type: str,
    channel: str,
    details: Any,
    subject=None,
    subject_name: str = "",
    subject_email: str = "",
    language: str | None = None,
    actor=None,
    received_at: datetime | None = None,
    identity_attested: str = "",
    now: datetime | None = None,
) -> tuple[DataSubjectRequest, VerificationSent | None]:
    """Receive a request (P21, P24, P26).

    Portal: the signed-in account proves identity, so the request starts `received`.
    Help desk and web form: it starts `awaiting_verification` and the subject is emailed a
    single-use link and code. `received_at` lets the help desk record when the letter or call
    actually arrived (never in the future). `identity_attested` (authorized agents only): the
    agent attested a verified identity that matched `subject`, so the request starts
    `received`; the value names how (it is kept in the first event).
    """
    now = _now(now)
    if identity_attested and (channel != Channel.AGENT or subject is None):
        raise DomainError(_("Only an authorized agent's request matched to an account can "
                            "arrive with its identity verified."), code="attestation_refused")
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), details={"channel": [_("Unknown channel.")]})
    if channel == Channel.PORTAL and subject is None:
        raise DomainError(_("A portal request needs a signed-in user."), code="subject_required")
    if channel != Channel.PORTAL:
        subject_email = (subject_email or "").strip()
        if subject is None and not subject_email:
            raise DomainError(_("An email address is needed to verify the requester's identity."),
                              details={"subject_email": [_("This field is required.")]})
        subject = subject or _subject_for_email(subject_email)
    cleaned = details_clean(type=type, details=details, user=subject)
    received = now if received_at is None or channel == Channel.PORTAL else received_at
    if clock.to_jst(received) > now:
        raise DomainError(_("The time of receipt cannot be in the future."),
                          details={"received_at": [_("The time of receipt cannot be in the future.")]})

    # One transaction, whatever the database and the caller: the reference, the request, its
    # first event and its receipt (or verification) email are all written or none is; inside
    # a caller's transaction it is a savepoint, so a duplicate rolls back only the filing.
    try:
        with transaction.atomic():
            request = DataSubjectRequest(
                reference=_next_reference(received),
                type=type,
                channel=channel,
                subject=subject,
                subject_name=subject_name[:200] if subject is None else "",
                subject_email=subject_email if subject is None else "",
                details=cleaned,
                language=language or (subject.language if subject else settings.LANGUAGE_CODE),
                created_at=now,
                received_at=received,
            )
            if channel == Channel.PORTAL or identity_attested:
                request.status = Status.RECEIVED
                request.identity_verified_at = received
            else:
                request.status = Status.AWAITING_VERIFICATION
            _set_reply_due(request)
            request.next_check_at = deadlines.next_check_at(request, now=now,
                                                            handled_kinds=frozenset())
            event = RequestEvent(request=request, actor=_actor(actor or subject),
                                 action="receive", from_status="", to_status=request.status,
                                 created_at=now,
                                 data={"method": identity_attested} if identity_attested else {})
            sent = None
            request.save(force_insert=True)
            event.save()
            if request.status == Status.AWAITING_VERIFICATION:
                sent = challenge_issue(request=request, now=now)
                _record_send(request, sent=sent, actor=actor, now=now)
            else:
                # The receipt's cause names the new request, so no earlier row can exist: it
                # needs no savepoint of its own (notification_build, not notification_queue).
                receipt = receipt_build(request)
                receipt.save(force_insert=True)
                notification_inserted(receipt)
    except IntegrityError:
        _raise_if_duplicate(type=type, subject=subject, subject_email=subject_email)
        raise
    return request, sent


def _raise_if_duplicate(*, type: str, subject, subject_email: str) -> None:
    """One open request per subject and type: the partial unique constraints decide (so two
    simultaneous filings cannot both pass), and the existing request is pointed out. Called
    after the filing's transaction was rolled back, so the insert needs no savepoint."""
    duplicate = selectors.open_duplicate(type=type, subject=subject, subject_email=subject_email)
    if duplicate is not None:
        raise DuplicateRequestError(
            _("You already have an open %(type)s request (%(reference)s).") % {
                "type": duplicate.get_type_display(), "reference": duplicate.reference},
            details={"duplicate": [{"id": str(duplicate.pk), "reference": duplicate.reference}]},
        ) from None


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _set_reply_due(request: DataSubjectRequest) -> None:
    """P21: 30 days from receipt; P26: inquiries count from identity verification."""
    if request.type == RequestType.INQUIRY:
        request.reply_due_at = (clock.inquiry_due_at(request.identity_verified_at)
                                if request.identity_verified_at else None)
    else:
        request.reply_due_at = clock.reply_due_at(request.received_at)


def _record_send(request: DataSubjectRequest, *, sent: VerificationSent, actor, now: datetime) -> None:
    RequestEvent.objects.create(
        request=request, actor=actor if getattr(actor, "pk", None) else None,
        action="send_verification", from_status=request.status, to_status=request.status,
        data={"challenge": sent.challenge_id, "expires_at": sent.expires_at.isoformat()},
        created_at=now,
    )
    notify_subject(request, kind="request_verification",
                   cause_suffix=f"verification:{sent.challenge_id}",
                   extra={"code": sent.code, "verify_path": sent.path,
                          "expires_at": selectors.format_jst(sent.expires_at)})


def request_send_verification(*, request: DataSubjectRequest, actor=None,
                              now: datetime | None = None) -> VerificationSent:
    """Resend the verification email: a new link and code; the old ones stop working."""
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        _check(request, "send_verification")
        sends = request.challenges.count()
        cfg = settings.REQUESTS
        if sends >= cfg["VERIFICATION_MAX_SENDS"]:
            raise DomainError(_("Too many verification emails were sent for this request. "
                                "Please contact the help desk."),
                              code="verification_send_limit", status=429)
        last = request.challenges.order_by("-created_at").first()
        interval = timedelta(seconds=cfg["VERIFICATION_RESEND_INTERVAL_SECONDS"])
        if last is not None and now < last.created_at + interval:
            raise DomainError(_("A verification email was sent moments ago. "
                                "Please wait a minute before asking again."),
                              code="verification_resend_too_soon", status=429)
        sent = challenge_issue(request=request, now=now)
        _record_send(request, sent=sent, actor=actor, now=now)
        return sent


def _verified(request: DataSubjectRequest, *, actor, now: datetime, note: str, how: str) -> None:
    request.identity_verified_at = now
    _set_reply_due(request)
    _transition(request, action="verify_identity", actor=actor, now=now, note=note,
                data={"method": how})
    notify_subject(request, kind="request_received", cause_suffix="received")


@enforces("P21", "P26")
def request_verify_identity(*, request: DataSubjectRequest, actor, note: str = "",
                            method: str = "staff", now: datetime | None = None
                            ) -> DataSubjectRequest:
    """Staff confirmed the requester's identity by other means (e.g. a documented call-back);
    `method` names another way (an authorized agent's user verification: "agent_sign_in")."""
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        _check(request, "verify_identity")
        request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
        _verified(request, actor=actor, now=now, note=note, how=method)
        return request


def request_verify_by_code(*, token: str, code: str, now: datetime | None = None
                           ) -> DataSubjectRequest:
    """The subject opened the emailed link and typed the 6-digit code.

    A wrong code is counted even though the call fails (so the count is committed first);
    the 5th wrong code kills the challenge.
    """
    from requests_app.verification import challenge_attempt

    now = _now(now)
    with transaction.atomic():
        outcome = challenge_attempt(token=token, code=code, now=now)
        if outcome.ok:
            request = _lock(outcome.challenge.request)
            _check(request, "verify_identity")
            _verified(request, actor=None, now=now, note="", how="email_code")
            return request
    raise outcome.error


def request_expire(*, request: DataSubjectRequest, now: datetime | None = None) -> DataSubjectRequest:
    """Identity never verified within VERIFICATION_EXPIRY_DAYS (called by the deadline sweep)."""
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        _check(request, "expire")
        expires = request.received_at + timedelta(days=settings.DEADLINES["VERIFICATION_EXPIRY_DAYS"])
        if now < expires:
            raise ConflictError(_("This request has not reached its verification deadline yet."),
                                code="not_yet_expired")
        request.closed_at = now
        request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
        _transition(request, action="expire", actor=None, now=now)
        notify_subject(request, kind="request_expired", cause_suffix="expired")
        return request


def request_assign(*, request: DataSubjectRequest, assignee, actor,
                   now: datetime | None = None) -> DataSubjectRequest:
    now = _now(now)
    if assignee is None or not staff.staff_members().filter(pk=assignee.pk).exists():
        raise DomainError(_("Requests can only be assigned to privacy officers or support agents."),
                          details={"assignee": [_("Not a member of the privacy team.")]})
    with transaction.atomic():
        request = _lock(request)
        _check(request, "assign")
        previous = request.assignee_id
        request.assignee = assignee
        event = _transition(request, action="assign", actor=actor, now=now,
                            data={"assignee": assignee.pk, "previous": previous})
        notify_assignee(request, cause_suffix=f"assigned:{event.pk}")
        return request


def request_start_review(*, request: DataSubjectRequest, actor, now: datetime | None = None
                         ) -> DataSubjectRequest:
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        _check(request, "start_review")
        _transition(request, action="start_review", actor=actor, now=now)
        notify_subject(request, kind="request_in_review", cause_suffix="in_review")
        return request


def _clean_attachments(attachments: Any) -> list[dict[str, str]]:
    if attachments in (None, ""):
        return []
    message = _("Attachments must be a list of objects with a name (and optionally a description).")
    if not isinstance(attachments, list) or len(attachments) > ATTACHMENTS_MAX:
        raise DomainError(message, details={"attachments": [message]})
    cleaned = []
    for item in attachments:
        if (not isinstance(item, dict) or set(item) - {"name", "description"}
                or not isinstance(item.get("name"), str) or not item["name"].strip()
                or len(item["name"]) > 255
                or not isinstance(item.get("description", ""), str)
                or len(item.get("description", "")) > 1000):
            raise DomainError(message, details={"attachments": [message]})
        cleaned.append({"name": item["name"], "description": item.get("description", "")})
    return cleaned


@enforces("P21", "P24", "P26")
def request_reply(*, request: DataSubjectRequest, actor, text: str, attachments: Any = None,
                  now: datetime | None = None) -> DataSubjectRequest:
    """The first reply (P21/P26). Disclosure and inquiry are completed by it; correction and
    deletion stay `replied` until every source and provider confirms (within 48 h)."""
    now = _now(now)
    text = _require_text(text, field="text", limit=REPLY_MAX_CHARS)
    files = _clean_attachments(attachments)
    with transaction.atomic():
        request = _lock(request)
        _check(request, "reply")
        request.reply_text = text
        request.reply_attachments = files
        request.replied_at = now
        if request.type in deadlines.PROPAGATING_TYPES:
            request.effective_due_at = clock.effective_due_at(now)
        _transition(request, action="reply", actor=actor, now=now,
                    data={"attachments": [f["name"] for f in files]})
        if request.type not in deadlines.PROPAGATING_TYPES:
            request.completed_at = now
            request.closed_at = now
            _transition(request, action="complete", actor=actor, now=now)
        from requests_app import services_fulfilment as fulfilment

        notify_subject(request, kind="request_replied", cause_suffix="replied",
                       extra=fulfilment.reply_context(request))
        transaction.on_commit(lambda: fulfilment.request_after_reply(request=request))
        return request


def request_reject(*, request: DataSubjectRequest, actor, reason: str,
                   now: datetime | None = None) -> DataSubjectRequest:
    now = _now(now)
    reason = _require_text(reason, field="reason", limit=settings.REQUESTS["TEXT_MAX_CHARS"])
    with transaction.atomic():
        request = _lock(request)
        _check(request, "reject")
        request.rejection_reason = reason
        request.closed_at = now
        request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
        _transition(request, action="reject", actor=actor, now=now, note=reason)
        notify_subject(request, kind="request_rejected", cause_suffix="rejected")
        return request


def request_withdraw(*, request: DataSubjectRequest, actor, reason: str = "",
                     now: datetime | None = None) -> DataSubjectRequest:
    """The subject withdraws before the reply; after it the request can no longer be withdrawn."""
    now = _now(now)
    if reason and len(reason) > settings.REQUESTS["TEXT_MAX_CHARS"]:
        raise DomainError(_("The reason is too long."), details={"reason": [_("The reason is too long.")]})
    with transaction.atomic():
        request = _lock(request)
        _check(request, "withdraw")
        request.closed_at = now
        request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
        _transition(request, action="withdraw", actor=actor, now=now, note=reason)
        notify_subject(request, kind="request_withdrawn", cause_suffix="withdrawn")
        return request


def request_complete(*, request: DataSubjectRequest, actor=None, note: str = "",
                     now: datetime | None = None) -> DataSubjectRequest:
    """A correction or deletion is in effect everywhere (called by fulfilment)."""
    now = _now(now)
    with transaction.atomic():
        request = _lock(request)
        _check(request, "complete")
        request.completed_at = now
        request.closed_at = now
        _transition(request, action="complete", actor=actor, now=now, note=note)
        if request.type != RequestType.DELETION:  # after a deletion there is no address left:
            notify_subject(request, kind="request_completed", cause_suffix="completed")
        return request  # the reply told the subject when it takes effect and what is kept
