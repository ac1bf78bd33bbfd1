"""Filing a data-subject request (DESIGN sections 4 and 5; RULES.md P21, P24, P26): the
reference, the duplicate check, the receipt and, for the help desk and the web form, the
identity verification email, in one transaction.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from notifications_app.services.outbox import notification_inserted
from requests_app import deadlines
from requests_app.details import details_clean
from requests_app.hooks import request_received
from requests_app.models import (
    Channel,
    DataSubjectRequest,
    ReferenceCounter,
    RequestEvent,
    Status,
)
from requests_app.selectors import requests as selectors
from requests_app.services.notify import receipt_build
from requests_app.services.transitions import _actor, _now, _set_reply_due
from requests_app.services.verification import VerificationSent, _record_send, challenge_issue


class DuplicateRequestError(ConflictError):
    code = "duplicate_request"



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



def _subject_for_email(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()



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
    representative_fields: dict[str, str] | None = None,
    now: datetime | None = None,
) -> tuple[DataSubjectRequest, VerificationSent | None]:
    """Receive a request (P21, P24, P26).

    Portal: the signed-in account proves identity, so the request starts `received`.
    Help desk and web form: it starts `awaiting_verification` and the subject is emailed a
    single-use link and code. `received_at` lets the help desk record when the letter or call
    actually arrived (never in the future). `identity_attested` (authorized agents only): the
    agent attested a verified identity that matched `subject`, so the request starts
    `received`; the value names how (it is kept in the first event). `representative_fields`
    (services.representatives only, already checked): the representative filing for the person,
    set before the first email, so the verification goes to them (APPI Art. 37(3)).
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
                **(representative_fields or {}),
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
                request_received.call(request=request, now=now)  # issue 25: automation
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
