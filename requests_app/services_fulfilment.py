"""Fulfilment of corrections and deletions (DESIGN section 6; RULES.md P08, P14, P21).

After the reply every data source and every service provider gets one `Propagation`, tracked to
confirmation within 48 hours (the deadline engine watches `effective_due_at`). Internal sources
run in their own transaction each (a failing source is marked failed and retried with backoff;
the others go on); providers are reached through their connector and confirm by a signed
callback or by staff. The request completes when every propagation is confirmed (or retained
under a legal hold, which the reply named). Each service is keyword-only and one transaction.
"""

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts_app.services_auth import account_deactivate
from ccucaas_privacy import clock
from ccucaas_privacy import datasources as registry
from ccucaas_privacy.datasources import all_sources, source_get
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from requests_app.connectors import (
    ConnectorError,
    Dispatch,
    MalformedCallback,
    SignatureError,
    connector_for,
)
from requests_app.fulfilment_models import HoldBasis, PropagationStatus
from requests_app.models import (
    CorrectionDecision,
    DataSubjectRequest,
    LegalHold,
    Processor,
    Propagation,
    RequestEvent,
    RequestType,
    Status,
)

log = logging.getLogger(__name__)

PS = PropagationStatus
LAST_SOURCE = "profile"  # the account row is pseudonymised after every source that reads it
LEASE = timedelta(minutes=5)


def _event(request, *, action: str, actor=None, note: str = "", data: dict | None = None,
           now: datetime | None = None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=request.status, to_status=request.status, note=note, data=data or {},
        created_at=now or clock.now())


def _lock(request) -> DataSubjectRequest:
    return (DataSubjectRequest.objects.select_for_update(of=("self",))
            .select_related("subject").get(pk=request.pk))


def _backoff(attempts: int) -> timedelta:
    cfg = settings.FULFILMENT
    return timedelta(seconds=min(cfg["RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0),
                                 cfg["RETRY_MAX_SECONDS"]))


# --- staff decisions before fulfilment ------------------------------------------------------

@enforces("P21")
def correction_item_decide(*, request: DataSubjectRequest, index: int, accept: bool, note: str,
                           actor) -> CorrectionDecision:
    """Staff accept or reject one requested correction item, with a note (P21)."""
    if not isinstance(note, str) or len(note) > settings.REQUESTS["TEXT_MAX_CHARS"]:
        raise DomainError(_("The note is too long."), details={"note": [_("The note is too long.")]})
    with transaction.atomic():
        request = _lock(request)
        if request.type != RequestType.CORRECTION:
            raise ConflictError(_("Only correction requests have items to decide."),
                                code="not_a_correction")
        items = request.details.get("items", [])
        if not isinstance(index, int) or not 0 <= index < len(items):
            raise DomainError(_("There is no such item."), details={"index": [_("There is no such item.")]})
        if request.status not in (Status.RECEIVED, Status.IN_REVIEW, Status.REPLIED):
            raise ConflictError(_("This request can no longer be decided."), code="illegal_transition")
        if request.propagations.exists():
            raise ConflictError(_("The correction is already being applied."), code="already_started")
        decision, _created = CorrectionDecision.objects.update_or_create(
            request=request, index=index,
            defaults={"accepted": bool(accept), "note": note, "decided_by": actor,
                      "decided_at": clock.now()})
        _event(request, actor=actor, action="correction_item_decide", note=note,
               data={"index": index, "field": items[index]["field"], "accepted": bool(accept)})
        if request.status == Status.REPLIED:
            _start_on_commit(request)
        return decision


@enforces("P21")
def deletion_approve(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Staff approve a deletion before the reply (the erasure itself runs after the reply)."""
    with transaction.atomic():
        request = _lock(request)
        if request.type != RequestType.DELETION:
            raise ConflictError(_("Only deletion requests are approved."), code="not_a_deletion")
        if request.status not in (Status.RECEIVED, Status.IN_REVIEW, Status.REPLIED):
            raise ConflictError(_("This request can no longer be approved."), code="illegal_transition")
        if request.events.filter(action="deletion_approve").exists():
            return request
        _event(request, actor=actor, action="deletion_approve")
        if request.status == Status.REPLIED:
            _start_on_commit(request)
        return request


def deletion_is_approved(request) -> bool:
    return request.events.filter(action="deletion_approve").exists()


def _accepted_changes(request) -> dict[str, str]:
    items = request.details.get("items", [])
    accepted = CorrectionDecision.objects.filter(request=request, accepted=True)
    return {items[d.index]["field"]: items[d.index]["requested_value"] for d in accepted
            if d.index < len(items)}


def _ready(request) -> bool:
    if request.type == RequestType.DELETION:
        return deletion_is_approved(request)
    decided = CorrectionDecision.objects.filter(request=request).count()
    return decided >= len(request.details.get("items", []))


# --- legal holds (P08) ---------------------------------------------------------------------

@enforces("P08")
def legal_hold_place(*, user, categories: list[str], basis: str, note: str, actor) -> LegalHold:
    """Keep these categories of the user's data despite deletion, for a stated basis (P08)."""
    known = set(registry.categories())
    chosen = [c for c in dict.fromkeys(categories or []) if isinstance(c, str)]
    errors = {}
    if not chosen or set(chosen) - known:
        errors["categories"] = [_("Choose one or more known categories.")]
    if basis not in HoldBasis.values:
        errors["basis"] = [_("Choose a basis: legal obligation, dispute or enforcing rights.")]
    if not (note or "").strip():
        errors["note"] = [_("Explain the hold.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], details=errors)
    with transaction.atomic():
        return LegalHold.objects.create(user=user, categories=chosen, basis=basis, note=note,
                                        placed_by=actor, placed_at=clock.now())


@enforces("P08")
def legal_hold_release(*, hold: LegalHold, actor) -> LegalHold:
    """Release a hold; the fulfilment sweep then erases what it kept."""
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at is not None:
            raise ConflictError(_("This hold was already released."), code="already_released")
        hold.released_at = clock.now()
        hold.released_by = actor
        hold.save(update_fields=["released_at", "released_by"])
        held = Propagation.objects.filter(status=PS.HELD, request__subject_id=hold.user_id)
        held.update(status=PS.PENDING, next_attempt_at=hold.released_at)
        return hold


def held_categories(user) -> dict[str, LegalHold]:
    holds = LegalHold.objects.filter(user=user, released_at=None).order_by("placed_at")
    return {category: hold for hold in holds for category in hold.categories}


# --- the reply --------------------------------------------------------------------------

@enforces("P08")
def reply_context(request: DataSubjectRequest) -> dict[str, Any]:
    """What the reply email adds for fulfilment: retained categories with their basis and the
    date backups will have rotated (deletion, P08), the package to come (disclosure)."""
    with translation.override(request.language):
        return _reply_context(request)


def _reply_context(request: DataSubjectRequest) -> dict[str, Any]:
    from requests_app.selectors import format_jst

    if request.type == RequestType.DELETION and request.subject_id:
        holds = held_categories(request.subject)
        retained = [{"category": str(source_get(c).title), "basis": str(h.get_basis_display()),
                     "note": h.note} for c, h in holds.items()]
        retained += [{"category": str(s.title), "basis": _("Evidence kept under a legal obligation"),
                      "note": ""} for s in all_sources()
                     if s.retained_on_erasure and s.category not in holds]
        backups = clock.now() + timedelta(days=settings.BACKUP_RETENTION_DAYS)
        return {"retained": retained, "backups_rotated_by": format_jst(backups)}
    if request.type == RequestType.DISCLOSURE:
        return {"package_to_follow": True}
    return {}


def request_after_reply(*, request: DataSubjectRequest) -> None:
    """Called on commit of a reply: build the package or start propagating."""
    from requests_app import tasks

    if request.type == RequestType.DISCLOSURE:
        tasks.disclosure_package_build.delay(str(request.pk))
    elif request.type in (RequestType.CORRECTION, RequestType.DELETION):
        tasks.fulfilment_start.delay(str(request.pk))


def _start_on_commit(request) -> None:
    from requests_app import tasks

    request_id = str(request.pk)
    transaction.on_commit(lambda: tasks.fulfilment_start.delay(request_id))


# --- start ------------------------------------------------------------------------------

def _key(request, target: str) -> str:
    return hashlib.sha256(f"{request.pk}:{target}".encode()).hexdigest()


@enforces("P21", "P14")
def fulfilment_start(*, request: DataSubjectRequest, now: datetime | None = None
                     ) -> list[Propagation]:
    """Create the propagations of a replied correction or deletion (idempotent)."""
    now = clock.now() if now is None else now
    with transaction.atomic():
        request = _lock(request)
        if request.type not in (RequestType.CORRECTION, RequestType.DELETION):
            raise ConflictError(_("Only corrections and deletions propagate."), code="not_propagating")
        existing = list(request.propagations.all())
        if existing or request.status != Status.REPLIED:
            return existing
        if not _ready(request):
            if request.events.filter(action="fulfilment_waiting").exists():
                return []
            _event(request, action="fulfilment_waiting", now=now,
                   note="waiting for staff decisions" if request.type == RequestType.CORRECTION
                   else "waiting for deletion approval")
            return []
        user = request.subject
        changes = _accepted_changes(request) if request.type == RequestType.CORRECTION else {}
        holds = held_categories(user) if user and request.type == RequestType.DELETION else {}
        rows = []
        if user is not None:
            if request.type == RequestType.DELETION:  # closed at once, every login ended (P11)
                account_deactivate(user=user, reason="deleted")
            for source in all_sources():
                if request.type == RequestType.CORRECTION and not set(source.correctable) & set(changes):
                    continue
                hold = holds.get(source.category)
                rows.append(Propagation(
                    request=request, source=source.category, idempotency_key=_key(request, source.category),
                    status=PS.HELD if hold else PS.PENDING, next_attempt_at=None if hold else now,
                    result={"hold": hold.pk, "basis": hold.basis} if hold else {}, created_at=now))
        if request.type == RequestType.DELETION or changes:
            # A correction an OpenDSR processor cannot take (no documented extension) is a
            # staff task: carried out and confirmed by hand, shown as such in the admin.
            rows += [Propagation(request=request, processor=p, idempotency_key=_key(request, f"p{p.pk}"),
                                 next_attempt_at=now, created_at=now,
                                 manual=request.type == RequestType.CORRECTION and not p.handles_corrections)
                     for p in Processor.objects.filter(active=True)]
        Propagation.objects.bulk_create(rows)
        _event(request, action="fulfilment_start", now=now,
               data={"propagations": len(rows), "changes": sorted(changes),
                     "held": sorted(holds)})
        created = list(request.propagations.all())
        _complete_if_done(request, now=now)
        transaction.on_commit(lambda: _enqueue([p.pk for p in created]))
        return created


def _enqueue(ids: list[int]) -> None:
    from requests_app import tasks

    for pk in ids:
        tasks.propagation_run.delay(pk)


# --- running one propagation ------------------------------------------------------------------

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
    from requests_app.services_processors import processor_alert_staff

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
    from requests_app.services_processors import processor_error_record, processor_trust_refresh

    request, processor = row.request, row.processor
    dispatch = Dispatch(
        id=str(row.public_id),
        type="erasure" if request.type == RequestType.DELETION else "correction",
        identities=_identities(request), submitted_time=_rfc3339(request.received_at),
        callback_url=_callback_url(processor),
        changes=_accepted_changes(request) if request.type == RequestType.CORRECTION else {})
    try:
        if row.manual:
            answer = {**ManualConnector(processor).send(dispatch),
                      "reason": "OpenDSR has no correction type; the processor documents no "
                                "correction extension"}
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


# --- confirmation --------------------------------------------------------------------------

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
        from requests_app.services_processors import processor_trust_refresh

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
    from requests_app.services import request_complete

    if request.status != Status.REPLIED:
        return
    if request.propagations.exclude(status__in=[PS.CONFIRMED, PS.HELD]).exists():
        return
    held = list(request.propagations.filter(status=PS.HELD).values_list("source", flat=True))
    request_complete(request=request, now=now,
                     note=("retained under legal hold: " + ", ".join(held)) if held else "")


# --- the sweep (beat) ----------------------------------------------------------------------

def fulfilment_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Retry due propagations, erase what a released hold kept, start fulfilment a lost task
    never started, build packages a lost task never built, purge expired packages."""
    from requests_app.packages import disclosure_package_build, packages_purge

    now = clock.now() if now is None else now
    due = list(Propagation.objects.filter(status__in=[PS.PENDING, PS.FAILED],
                                          next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    ran = sum(1 for pk in due if propagation_run(propagation_id=pk, now=now) is not None)
    started = 0
    for request in DataSubjectRequest.objects.filter(
            status=Status.REPLIED, type__in=[RequestType.CORRECTION, RequestType.DELETION],
            propagations__isnull=True)[:limit]:
        started += bool(fulfilment_start(request=request, now=now))
    built = 0
    window = now - timedelta(days=settings.PACKAGE_TTL_DAYS)
    for request in DataSubjectRequest.objects.filter(
            type=RequestType.DISCLOSURE, replied_at__gte=window, subject__isnull=False,
            packages__isnull=True)[:limit]:
        try:
            disclosure_package_build(request=request, now=now)
            built += 1
        except DomainError as exc:
            log.warning("package of %s not built: %s", request.reference, exc)
    from requests_app.services_processors import processors_certificate_watch

    return {"propagations": ran, "started": started, "packages": built,
            "purged": packages_purge(now=now), "certificates": processors_certificate_watch(now=now)}


# --- account closure (accounts_app's account_closed hook, registered in apps.py) -----------

def account_close_deletion_request(*, user, closure) -> DataSubjectRequest | None:
    """Closing the account files a deletion request for it (P21), unless one is open."""
    from requests_app.services import DuplicateRequestError, request_file

    try:
        request, _sent = request_file(type=RequestType.DELETION, channel="portal",
                                      details={"note": "account closed"}, subject=user, actor=user)
    except DuplicateRequestError:
        return None
    return request
