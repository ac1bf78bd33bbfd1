"""Fulfilment of corrections and deletions (DESIGN section 6; RULES.md P08, P14, P21): staff
decisions on correction items and deletions, legal holds, what the reply adds, starting the
propagations after the reply (`services.propagation` runs them), the fulfilment sweep and the
deletion request filed when an account is closed. Each service is keyword-only and one
transaction.
"""

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts_app.services.auth import account_deactivate
from ccucaas_privacy import clock
from ccucaas_privacy import datasources as registry
from ccucaas_privacy.datasources import all_sources, source_get
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from requests_app.models import (
    CorrectionDecision,
    DataSubjectRequest,
    HoldBasis,
    LegalHold,
    Processor,
    Propagation,
    RequestType,
    Status,
)
from requests_app.services.propagation import (
    PS,
    _accepted_changes,
    _complete_if_done,
    _enqueue,
    _event,
    _lock,
    held_categories,
    propagation_run,
)

log = logging.getLogger(__name__)



@enforces("P21")
def correction_item_decide(*, request: DataSubjectRequest, index: int, accept: bool, note: str,
                           actor) -> CorrectionDecision:
    """Staff accept or reject one requested correction item, with a note (P21)."""
    if not isinstance(note, str) or len(note) > settings.REQUESTS["TEXT_MAX_CHARS"]:
        raise DomainError(_("The note is too long."), details={"note": [_("The note is too long.")]})
    if not accept and not note.strip():  # the person is told why (issue 19 item 2)
        message = _("Give the reason for refusing this item; the person is told it.")
        raise DomainError(message, code="reason_required", details={"note": [message]})
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



def _ready(request) -> bool:
    if request.type == RequestType.DELETION:
        return deletion_is_approved(request)
    decided = CorrectionDecision.objects.filter(request=request).count()
    return decided >= len(request.details.get("items", []))



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



@enforces("P08")
def reply_context(request: DataSubjectRequest) -> dict[str, Any]:
    """What the reply email adds for fulfilment: retained categories with their basis and the
    date backups will have rotated (deletion, P08), the package to come (disclosure)."""
    with translation.override(request.language):
        return _reply_context(request)



def _reply_context(request: DataSubjectRequest) -> dict[str, Any]:
    from requests_app.selectors.requests import format_jst

    if request.type == RequestType.DELETION and request.subject_id:
        holds = held_categories(request.subject)
        retained = [{"category": str(source_get(c).title), "basis": str(h.get_basis_display()),
                     "note": h.note} for c, h in holds.items()]
        retained += [{"category": str(s.title), "basis": _("Evidence kept under a legal obligation"),
                      "note": ""} for s in all_sources()
                     if s.retained_on_erasure and s.category not in holds]
        backups = clock.now() + timedelta(days=settings.BACKUP_RETENTION_DAYS)
        return {"retained": retained, "backups_rotated_by": format_jst(backups)}
    if request.type == RequestType.CORRECTION:
        return _correction_reply_context(request)
    if request.type == RequestType.DISCLOSURE:
        from requests_app.services.paper import is_paper

        return {"package_to_follow": not is_paper(request)}  # paper: APPI Art. 33(1)
    return {}



@enforces("P21")
def _correction_reply_context(request: DataSubjectRequest) -> dict[str, Any]:
    """Which items were accepted and which refused, with the reasons; the 48-hour promise only
    when something was accepted (issue 19 item 2)."""
    from requests_app.selectors.requests import correction_items_decided

    items = correction_items_decided(request)
    accepted = [i for i in items if i["accepted"]]
    refused = [i for i in items if i["decided"] and not i["accepted"]]
    extra: dict[str, Any] = {"corrections_accepted": accepted, "corrections_refused": refused}
    if not accepted:
        extra["effective_due_at"] = ""  # nothing changes, so nothing takes effect
    return extra



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



def fulfilment_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Retry due propagations, erase what a released hold kept, start fulfilment a lost task
    never started, build packages a lost task never built, purge expired packages."""
    from requests_app.services.packages import disclosure_package_build, packages_purge

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
    from requests_app.services.processors import processors_certificate_watch

    return {"propagations": ran, "started": started, "packages": built,
            "purged": packages_purge(now=now), "certificates": processors_certificate_watch(now=now)}



def account_close_deletion_request(*, user, closure) -> DataSubjectRequest | None:
    """Closing the account files a deletion request for it (P21), unless one is open."""
    from requests_app.services.filing import DuplicateRequestError, request_file

    try:
        request, _sent = request_file(type=RequestType.DELETION, channel="portal",
                                      details={"note": "account closed"}, subject=user, actor=user)
    except DuplicateRequestError:
        return None
    return request
