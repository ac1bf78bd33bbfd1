"""Running the propagations of a correction or deletion (DESIGN section 6; RULES.md P08, P14,
P21): one per data source and service provider, tracked to confirmation within 48 hours.
Internal sources run in their own transaction each (a failing source is marked failed and retried
with backoff; the others go on); providers are reached through their connector and confirm by a
signed callback or by staff. The request completes when every propagation is confirmed.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ccucaas_privacy import clock
from ccucaas_privacy.datasources import source_get
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from requests_app.connectors import (
    ConnectorError,
    Dispatch,
    MalformedCallback,
    SignatureError,
    connector_for,
)
from requests_app.models import (
    STOP_TYPES,
    CorrectionDecision,
    DataSubjectRequest,
    LegalHold,
    Processor,
    Propagation,
    PropagationStatus,
    RequestEvent,
    RequestType,
    Status,
)
from requests_app.services.acting import acting_data

log = logging.getLogger(__name__)



PS = PropagationStatus



LAST_SOURCE = "profile"  # the account row is pseudonymised after every source that reads it



LEASE = timedelta(minutes=5)



def _event(request, *, action: str, actor=None, note: str = "", data: dict | None = None,
           now: datetime | None = None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=request.status, to_status=request.status, note=note,
        data={**acting_data(), **(data or {})}, created_at=now or clock.now())



def _lock(request) -> DataSubjectRequest:
    return (DataSubjectRequest.objects.select_for_update(of=("self",))
            .select_related("subject").get(pk=request.pk))



def _backoff(attempts: int) -> timedelta:
    cfg = settings.FULFILMENT
    return timedelta(seconds=min(cfg["RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0),
                                 cfg["RETRY_MAX_SECONDS"]))



def _accepted_changes(request) -> dict[str, str]:
    items = request.details.get("items", [])
    accepted = CorrectionDecision.objects.filter(request=request, accepted=True)
    return {items[d.index]["field"]: items[d.index]["requested_value"] for d in accepted
            if d.index < len(items)}



def held_categories(user) -> dict[str, LegalHold]:
    holds = LegalHold.objects.filter(user=user, released_at=None).order_by("placed_at")
    return {category: hold for hold in holds for category in hold.categories}



def _enqueue(ids: list[int]) -> None:
    from requests_app import tasks

    for pk in ids:
        tasks.propagation_run.delay(pk)



def _claim(propagation_id: int, now: datetime) -> Propagation | None:
    with transaction.atomic():
        row = (Propagation.objects.select_for_update(skip_locked=True, of=("self",))
               .select_related("request", "request__subject", "processor")
               .filter(pk=propagation_id, status__in=[PS.PENDING, PS.FAILED])
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).first())
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + LEASE  # nobody else takes it while we work
        row.save(update_fields=["attempts", "next_attempt_at"])
        return row



def _refused(row: Propagation, reason: str, now: datetime) -> None:
    """A permanent refusal (4xx other than 408/429, unsupported by the processor): failed with
    the reason, not retried; privacy officers are alerted at once."""
    from requests_app.services.processors import processor_alert_staff

    Propagation.objects.filter(pk=row.pk).update(status=PS.FAILED, last_error=reason[:2000],
                                                 next_attempt_at=None)
    processor_alert_staff(processor=row.processor, what="refused", reason=reason,
                          cause=f"propagation:{row.pk}:refused:{row.attempts}")



def _failed(row: Propagation, error: str, now: datetime) -> None:
    give_up = row.attempts >= settings.FULFILMENT["MAX_ATTEMPTS"]
    Propagation.objects.filter(pk=row.pk).update(
        status=PS.FAILED, last_error=error[:2000],
        next_attempt_at=None if give_up else now + _backoff(row.attempts))
    log.warning("propagation %s (%s) failed: %s", row.pk, row.target_label, error)



@enforces("P14", "P21")
def propagation_run(*, propagation_id: int, now: datetime | None = None) -> Propagation | None:
    """One attempt at one propagation (the task and the sweep call this)."""
    now = clock.now() if now is None else now
    row = _claim(propagation_id, now)
    if row is None:
        return None
    if row.processor_id:
        _run_processor(row, now)
    else:
        _run_source(row, now)
    row.refresh_from_db()
    return row



def _others_pending(request) -> bool:
    """The account row (and its email address) goes last: providers need the address to be
    sent their erasure, and some sources find rows by it."""
    return (request.propagations.exclude(source=LAST_SOURCE)
            .exclude(status__in=[PS.CONFIRMED, PS.HELD, PS.SENT]).exists())



def _wait(row: Propagation, now: datetime) -> None:
    """Not a failure: put it back (the last of the others re-queues it; the sweep is the net)."""
    Propagation.objects.filter(pk=row.pk).update(
        status=PS.PENDING, attempts=row.attempts - 1, next_attempt_at=now + _backoff(1),
        last_error="waiting for the other sources and providers")



def _release_last(request, now: datetime) -> list[int]:
    last = request.propagations.filter(source=LAST_SOURCE, status=PS.PENDING)
    ids = list(last.values_list("pk", flat=True))
    last.update(next_attempt_at=now)
    return ids



def _run_source(row: Propagation, now: datetime) -> None:
    request, user = row.request, row.request.subject
    if row.source == LAST_SOURCE and request.type == RequestType.DELETION and _others_pending(request):
        _wait(row, now)
        return
    try:
        with transaction.atomic():
            if row.source in held_categories(user) and request.type == RequestType.DELETION:
                Propagation.objects.filter(pk=row.pk).update(status=PS.HELD, next_attempt_at=None)
                return
            source = source_get(row.source)
            if request.type == RequestType.DELETION:
                result = source.erase(user).as_dict()
            else:
                result = {"changed": source.correct(user, _accepted_changes(request))}
            Propagation.objects.filter(pk=row.pk).update(
                status=PS.CONFIRMED, confirmed_at=now, result=result, last_error="",
                next_attempt_at=None)
            _complete_if_done(_lock(request), now=now)
    except Exception as exc:  # any failure of a source is retried; the others go on
        _failed(row, f"{type(exc).__name__}: {exc}", now)
        return
    _after_progress(row, now)



def _after_progress(row: Propagation, now: datetime) -> None:
    request = row.request
    if (row.source != LAST_SOURCE and request.type == RequestType.DELETION
            and not _others_pending(request)):
        ids = _release_last(request, now)
        transaction.on_commit(lambda: _enqueue(ids))



def _identities(request) -> list[dict[str, str]]:
    user = request.subject
    email = user.email if user else request.subject_email
    return [{"identity_type": "email", "identity_format": "raw", "identity_value": email}]



def _callback_url(processor: Processor) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("fulfilment-callback", args=[processor.pk])



def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")



def _run_processor(row: Propagation, now: datetime) -> None:
    from requests_app.connectors import ManualConnector
    from requests_app.services.processors import processor_error_record, processor_trust_refresh

    request, processor = row.request, row.processor
    from requests_app.services.restrictions import restriction_payload

    is_restriction = request.type in STOP_TYPES
    dispatch = Dispatch(
        id=str(row.public_id),
        type=("erasure" if request.type == RequestType.DELETION
              else "restriction" if is_restriction else "correction"),
        identities=_identities(request), submitted_time=_rfc3339(request.received_at),
        callback_url=_callback_url(processor),
        changes=_accepted_changes(request) if request.type == RequestType.CORRECTION else {},
        restriction=restriction_payload(request) if is_restriction else {})
    try:
        if row.manual:
            answer = {**ManualConnector(processor).send(dispatch),
                      "reason": f"OpenDSR has no {dispatch.type} type; the processor documents "
                                "no extension for it"}
        else:
            if processor.connector == "opendsr":
                processor_trust_refresh(processor=processor, now=now)
            answer = connector_for(processor).send(dispatch)
    except ConnectorError as exc:
        processor_error_record(processor=processor, reason=exc.reason, now=now)
        if exc.permanent:
            _refused(row, exc.reason, now)
        else:
            _failed(row, exc.reason, now)
        return
    Propagation.objects.filter(pk=row.pk).update(status=PS.SENT, sent_at=now, result=answer,
                                                 last_error="", next_attempt_at=None)
    _after_progress(row, now)



class CallbackRejected(DomainError):
    status = 403
    code = "bad_signature"



@enforces("P14")
def propagation_callback(*, processor_id: int, body: bytes, headers) -> Propagation:
    """A provider's signed status callback. Bad signature: 403; unknown processor or id: 404;
    already confirmed (replay): 409. Nothing changes in any of those cases."""
    processor = Processor.objects.filter(pk=processor_id, active=True).first()
    if processor is None:
        raise DomainError(_("Unknown service provider."), code="not_found", status=404)
    if processor.connector == "opendsr" and not processor.certificate_pem:
        from requests_app.services.processors import processor_trust_refresh

        try:  # §8.8 step 3: not in the cache, read the processor's discovery
            processor_trust_refresh(processor=processor)
        except ConnectorError as exc:
            raise CallbackRejected(_("The signature of this callback is not valid.")) from exc
    try:
        message = connector_for(processor).verify_callback(
            body=body, headers=headers, callback_url=_callback_url(processor))
    except MalformedCallback as exc:
        raise DomainError(_("The body of this callback is not a valid status object."),
                          code="malformed_callback") from exc
    except (SignatureError, ValueError) as exc:
        raise CallbackRejected(_("The signature of this callback is not valid.")) from exc
    now = clock.now()
    with transaction.atomic():
        row = (Propagation.objects.select_for_update(of=("self",)).select_related("request")
               .filter(processor=processor, public_id__in=_uuid_or_none(message["id"])).first())
        if row is None:
            raise DomainError(_("Unknown request id."), code="not_found", status=404)
        if row.status == PS.CONFIRMED:
            raise ConflictError(_("This request was already confirmed."), code="already_confirmed")
        status = message["status"].lower()
        if status in ("completed", "confirmed"):
            Propagation.objects.filter(pk=row.pk).update(
                status=PS.CONFIRMED, confirmed_at=now, next_attempt_at=None,
                result={**row.result, "callback": message["raw"]})
            _complete_if_done(_lock(row.request), now=now)
        elif status in ("denied", "cancelled", "failed"):
            _failed(row, f"provider answered {status}", now)
        row.refresh_from_db()
        return row



def _uuid_or_none(value: str) -> list[str]:
    import uuid

    try:
        return [str(uuid.UUID(value))]
    except (ValueError, TypeError):
        return []



def propagation_confirm_manual(*, propagation: Propagation, actor, note: str) -> Propagation:
    """Staff carried the change out with a manual provider and confirm it with a note."""
    if not (note or "").strip():
        raise DomainError(_("Say what was done."), details={"note": [_("This field is required.")]})
    now = clock.now()
    with transaction.atomic():
        row = Propagation.objects.select_for_update(of=("self",)).select_related("processor", "request").get(
            pk=propagation.pk)
        if row.processor is None or not (row.processor.connector == "manual" or row.manual):
            raise ConflictError(_("Only manual providers are confirmed by hand."), code="not_manual")
        if row.status == PS.CONFIRMED:
            raise ConflictError(_("This request was already confirmed."), code="already_confirmed")
        Propagation.objects.filter(pk=row.pk).update(status=PS.CONFIRMED, confirmed_at=now,
                                                     note=note, next_attempt_at=None)
        request = _lock(row.request)
        _event(request, actor=actor, action="propagation_confirm_manual", note=note,
               data={"processor": row.processor.name})
        _complete_if_done(request, now=now)
        row.refresh_from_db()
        return row



def _complete_if_done(request: DataSubjectRequest, *, now: datetime) -> None:
    """The request completes once every propagation is confirmed (held data was named in the
    reply and is erased later, when its hold is released)."""
    from requests_app.services.transitions import request_complete

    if request.status != Status.REPLIED:
        return
    if request.propagations.exclude(status__in=[PS.CONFIRMED, PS.HELD]).exists():
        return
    held = list(request.propagations.filter(status=PS.HELD).values_list("source", flat=True))
    request_complete(request=request, now=now,
                     note=("retained under legal hold: " + ", ".join(held)) if held else "")
