"""Stop of use / erasure and stop of provision (利用停止・消去, 第三者提供の停止; APPI Art. 35;
issue 21).

Staff may record how far a stop is accepted (in full, or "as far as necessary" with the extent
described) and a substitute measure with its reason (`restriction_decide`); without a decision
the reply accepts the request in full. The reply records the restriction in consent_app (the
lowest app: every place that uses a purpose asks consent_app.selectors) effective from the reply,
in the same transaction, and propagates it to the active service providers like a correction:
the signed webhook carries `type: "restriction"`, OpenDSR the closest type with an `extensions`
object (requests_app/connectors). The request completes when every provider confirmed (at once
when there is none), within the 48 hours after the reply (P21's deadline machinery).
"""

import hashlib
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from consent_app import purposes as purpose_codes
from consent_app import services as consent_services
from consent_app.models import ALL_RECIPIENTS, RestrictionScope
from requests_app.models import (
    STOP_TYPES,
    DataSubjectRequest,
    Processor,
    Propagation,
    RequestEvent,
    RequestType,
    Status,
    StopGround,
)
from requests_app.services.acting import acting_data

DECIDE_ACTION = "restriction_decide"
APPLY_ACTION = "restriction_apply"
TEXT_MAX = 5000


def _clean_text(value: Any, *, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        message = _("At most %(limit)d characters.") % {"limit": TEXT_MAX}
        raise DomainError(message, details={field: [message]})
    return value.strip()


def decision_validate(*, scope: str, scope_note: str, substitute_measure: str,
                      substitute_reason: str) -> dict[str, str]:
    """The decision's fields, checked (DomainError naming the field); no writes."""
    if scope not in RestrictionScope.values:
        message = _("Choose the scope of the restriction.")
        raise DomainError(message, code="invalid_scope", details={"scope": [message]})
    cleaned = {"scope": scope,
               "scope_note": _clean_text(scope_note, field="scope_note"),
               "substitute_measure": _clean_text(substitute_measure, field="substitute_measure"),
               "substitute_reason": _clean_text(substitute_reason, field="substitute_reason")}
    if scope == RestrictionScope.PARTIAL and not cleaned["scope_note"]:
        message = _("Describe how far the request is accepted.")
        raise DomainError(message, code="scope_note_required", details={"scope_note": [message]})
    if bool(cleaned["substitute_measure"]) != bool(cleaned["substitute_reason"]):
        message = _("A substitute measure needs its reason (and a reason its measure).")
        raise DomainError(message, code="substitute_incomplete",
                          details={"substitute_reason": [message]})
    return cleaned


@enforces("APPI-35")
def restriction_decide(*, request: DataSubjectRequest, actor, scope: str, scope_note: str = "",
                       substitute_measure: str = "", substitute_reason: str = "",
                       now: datetime | None = None) -> RequestEvent:
    """Record (before the reply) how far a stop request is accepted; the latest decision counts."""
    now = clock.now() if now is None else now
    cleaned = decision_validate(scope=scope, scope_note=scope_note,
                                substitute_measure=substitute_measure,
                                substitute_reason=substitute_reason)
    with transaction.atomic():
        locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
        if locked.type not in STOP_TYPES:
            raise ConflictError(_("Only a stop of use or of provision has a restriction."),
                                code="not_a_stop_request")
        if locked.status not in (Status.RECEIVED, Status.IN_REVIEW):
            raise ConflictError(_("The restriction can only be decided before the reply."),
                                code="illegal_transition")
        return RequestEvent.objects.create(
            request=locked, actor=actor if getattr(actor, "pk", None) else None,
            action=DECIDE_ACTION, from_status=locked.status, to_status=locked.status,
            note=cleaned["scope_note"], data={**acting_data(), **cleaned}, created_at=now)


def restriction_decision(request: DataSubjectRequest) -> dict[str, str]:
    """The latest recorded decision, or acceptance in full."""
    event = request.events.filter(action=DECIDE_ACTION).order_by("-created_at", "-id").first()
    default = {"scope": RestrictionScope.FULL, "scope_note": "", "substitute_measure": "",
               "substitute_reason": ""}
    return {**default, **{k: v for k, v in (event.data if event else {}).items() if k in default}}


def restriction_payload(request: DataSubjectRequest) -> dict[str, Any]:
    """What a service provider is told (webhook `restriction`, OpenDSR extension)."""
    decision = restriction_decision(request)
    details = request.details or {}
    return {"kind": request.type, "purposes": list(details.get("purposes", [])),
            "recipients": list(details.get("recipients", [])),
            "erase": bool(details.get("erase")), "scope": decision["scope"],
            "scope_note": decision["scope_note"],
            "effective_from": clock.to_jst(request.replied_at).isoformat()
            if request.replied_at else None}


def _key(request, target: str) -> str:
    return hashlib.sha256(f"{request.pk}:restriction:{target}".encode()).hexdigest()


@enforces("APPI-35", "P21")
def restriction_apply(*, request: DataSubjectRequest, now: datetime) -> list[Propagation]:
    """Inside the reply's transaction (the row locked, status `replied`): record the restriction,
    erase what a stop of use with erasure names, create one propagation per active service
    provider (sent on commit), and complete at once when there is none. Idempotent."""
    from requests_app.services import propagation

    if request.type not in STOP_TYPES or request.status != Status.REPLIED:
        return []
    if request.events.filter(action=APPLY_ACTION).exists():
        return list(request.propagations.all())
    decision = restriction_decision(request)
    details = request.details or {}
    restricted = []
    if request.subject_id:
        restricted = consent_services.restriction_record(
            user=request.subject, kind=request.type, request_reference=request.reference,
            effective_from=request.replied_at or now, purposes=details.get("purposes", []),
            recipients=details.get("recipients", []), erase=bool(details.get("erase")),
            **decision)
        if (details.get("erase") and request.type == RequestType.STOP_USE
                and purpose_codes.TESTIMONIAL_PUBLICATION in details.get("purposes", [])):
            consent_services.testimonials_erase(user=request.subject)
    rows = [Propagation(request=request, processor=p, idempotency_key=_key(request, f"p{p.pk}"),
                        next_attempt_at=now, created_at=now, manual=not p.handles_corrections)
            for p in Processor.objects.filter(active=True)]
    Propagation.objects.bulk_create(rows)
    RequestEvent.objects.create(
        request=request, action=APPLY_ACTION, from_status=request.status,
        to_status=request.status, created_at=now,
        data={**acting_data(), "restrictions": len(restricted), "propagations": len(rows),
              **decision})
    created = list(request.propagations.all())
    ids = [p.pk for p in created]
    transaction.on_commit(lambda: propagation._enqueue(ids))
    propagation._complete_if_done(request, now=now)
    return created


def restriction_reply_context(request: DataSubjectRequest) -> dict[str, Any]:
    """What the reply email and the portal say about an accepted stop (in the active language)."""
    from consent_app.models import Purpose, RestrictionScope

    if request.type not in STOP_TYPES:
        return {}
    decision = restriction_decision(request)
    details = request.details or {}
    names = {p.code: p.name for p in Purpose.objects.filter(code__in=details.get("purposes", []))}
    return {"restriction": {
        "kind_label": str(RequestType(request.type).label),
        "purposes": [names.get(c, c) for c in details.get("purposes", [])],
        "recipients": [str(_("every third party")) if r == ALL_RECIPIENTS else r
                       for r in details.get("recipients", [])],
        "erase": bool(details.get("erase")),
        "grounds": [str(StopGround(g).label) for g in details.get("grounds", [])
                    if g in StopGround.values],
        "scope_label": str(RestrictionScope(decision["scope"]).label),
        "scope_note": decision["scope_note"],
        "substitute_measure": decision["substitute_measure"],
        "substitute_reason": decision["substitute_reason"],
    }}
