"""The state machine of a data-subject request (DESIGN section 4; RULES.md P21, P24, P26):
which action may leave which status for which, and the staff and subject transitions.

Each service is one transaction: it locks the request, checks the transition table
(`TRANSITIONS`), changes the row, appends a RequestEvent, recomputes `next_check_at` and queues
the subject's email through the outbox. An illegal transition raises ConflictError and changes
nothing. The helpers at the top are shared by filing and verification.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ccucaas_privacy import clock, staff
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from requests_app import deadlines
from requests_app.models import (
    DataSubjectRequest,
    RequestEvent,
    RequestType,
    Status,
)
from requests_app.services.acting import acting_data
from requests_app.services.notify import notify_assignee, notify_subject

S = Status



# action -> (statuses it may start from, status it leads to; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "send_verification": (frozenset({S.AWAITING_VERIFICATION}), None),
    "verify_identity": (frozenset({S.AWAITING_VERIFICATION}), S.RECEIVED),
    "expire": (frozenset({S.AWAITING_VERIFICATION}), S.EXPIRED),
    "assign": (frozenset({S.AWAITING_VERIFICATION, S.RECEIVED, S.IN_REVIEW, S.REPLIED}), None),
    "start_review": (frozenset({S.RECEIVED}), S.IN_REVIEW),
    "reply": (frozenset({S.RECEIVED, S.IN_REVIEW}), S.REPLIED),
    "reject": (frozenset({S.AWAITING_VERIFICATION, S.RECEIVED, S.IN_REVIEW}), S.REJECTED),
    # Before the reply only (DESIGN section 4): after it the change is already under way.
    "withdraw": (frozenset({S.AWAITING_VERIFICATION, S.RECEIVED, S.IN_REVIEW}), S.WITHDRAWN),
    "complete": (frozenset({S.REPLIED}), S.COMPLETED),
    # Issue 25: staff reopen an automatically handled request for a person to reply again.
    "reopen": (frozenset({S.REPLIED, S.COMPLETED}), S.IN_REVIEW),
}



ACTIONS = tuple(TRANSITIONS)



def allowed_from(action: str) -> frozenset[str]:
    return TRANSITIONS[action][0]



def target(action: str, current: str) -> str:
    to = TRANSITIONS[action][1]
    return current if to is None else to



def can(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]



# Staff steps of the admin request page that are not status changes of their own (issue 19
# item 8): step -> (request types it applies to, statuses it is offered in). Together with
# TRANSITIONS this decides which actions the page offers; the services still refuse the rest.
_BEFORE_REPLY = frozenset({S.RECEIVED, S.IN_REVIEW})
STAFF_STEPS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "correction_item": (frozenset({RequestType.CORRECTION}), _BEFORE_REPLY),
    "deletion_approve": (frozenset({RequestType.DELETION}), _BEFORE_REPLY | {S.REPLIED}),
    "legal_hold_place": (frozenset({RequestType.DELETION}), _BEFORE_REPLY | {S.REPLIED}),
    "legal_hold_release": (frozenset({RequestType.DELETION}), _BEFORE_REPLY | {S.REPLIED}),
    "propagation_confirm": (frozenset(deadlines.PROPAGATING_TYPES), frozenset({S.REPLIED})),
    "restriction_decide": (frozenset({"stop_use", "stop_provision"}), _BEFORE_REPLY),
    "method_change": (frozenset({RequestType.DISCLOSURE}), _BEFORE_REPLY),
}



def step_applies(step: str, request: DataSubjectRequest) -> bool:
    """Whether the staff step `step` is offered for this request's type and status."""
    types, statuses = STAFF_STEPS[step]
    return request.type in types and request.status in statuses



def correction_undecided(request: DataSubjectRequest) -> list[int]:
    """The items of a correction that staff have not yet accepted or refused (P21)."""
    from requests_app.models import CorrectionDecision

    decided = set(CorrectionDecision.objects.filter(request=request)
                  .values_list("index", flat=True))
    return [i for i in range(len(request.details.get("items", []))) if i not in decided]



REPLY_MAX_CHARS = 20000



ATTACHMENTS_MAX = 20



def _now(now: datetime | None) -> datetime:
    return clock.now() if now is None else clock.to_jst(now).astimezone(UTC)



def _lock(request: DataSubjectRequest) -> DataSubjectRequest:
    return (DataSubjectRequest.objects.select_for_update(of=("self",))
            .select_related("subject", "assignee").get(pk=request.pk))



@contextmanager
def _locked_for(request: DataSubjectRequest, action: str) -> Iterator[DataSubjectRequest]:
    """The transaction of one transition: the request's row locked, then `action` checked
    against its current status (ConflictError, and a rollback, if it is not allowed)."""
    with transaction.atomic():
        locked = _lock(request)
        _check(locked, action)
        yield locked


def _check(request: DataSubjectRequest, action: str) -> None:
    if not can(action, request.status):
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
        "reopen": _("reopening"),
    }
    return labels[action]



def _record(request: DataSubjectRequest, *, action: str, actor, now: datetime,
            from_status: str, note: str = "", data: dict | None = None) -> RequestEvent:
    request.next_check_at = deadlines.next_check_at(request, now=now)
    request.save()
    return RequestEvent.objects.create(
        request=request, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=from_status, to_status=request.status, note=note,
        data={**acting_data(), **(data or {})},  # issue 25: {"actor": "automation", "rule": ..}
        created_at=now,
    )



def _transition(request: DataSubjectRequest, *, action: str, actor, now: datetime,
                note: str = "", data: dict | None = None) -> RequestEvent:
    from_status = request.status
    request.status = target(action, from_status)
    return _record(request, action=action, actor=actor, now=now, from_status=from_status,
                   note=note, data=data)



def _require_text(value: str, *, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError(_("This field is required."), details={field: [_("This field is required.")]})
    if len(value) > limit:
        message = _("At most %(limit)d characters.") % {"limit": limit}
        raise DomainError(message, details={field: [message]})
    return value



def _actor(user):
    return user if getattr(user, "pk", None) else None



def _set_reply_due(request: DataSubjectRequest) -> None:
    """P21: 30 days from receipt; P26: inquiries count from identity verification."""
    if request.type == RequestType.INQUIRY:
        request.reply_due_at = (clock.inquiry_due_at(request.identity_verified_at)
                                if request.identity_verified_at else None)
    else:
        request.reply_due_at = clock.reply_due_at(request.received_at)



def request_assign(*, request: DataSubjectRequest, assignee, actor,
                   now: datetime | None = None) -> DataSubjectRequest:
    now = _now(now)
    if assignee is None or not staff.staff_members().filter(pk=assignee.pk).exists():
        raise DomainError(_("Requests can only be assigned to privacy officers or support agents."),
                          details={"assignee": [_("Not a member of the privacy team.")]})
    with _locked_for(request, "assign") as request:
        previous = request.assignee_id
        request.assignee = assignee
        event = _transition(request, action="assign", actor=actor, now=now,
                            data={"assignee": assignee.pk, "previous": previous})
        notify_assignee(request, cause_suffix=f"assigned:{event.pk}")
        return request



def request_start_review(*, request: DataSubjectRequest, actor, now: datetime | None = None
                         ) -> DataSubjectRequest:
    now = _now(now)
    with _locked_for(request, "start_review") as request:
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
                  withheld: Any = None, now: datetime | None = None) -> DataSubjectRequest:
    """The first reply (P21/P26). An inquiry is completed by it, a disclosure to an account
    when its package is ready (packages.disclosure_package_build); correction,
    deletion and a stop of use or provision stay `replied` until every source and provider
    confirms (within 48 h), a paper disclosure until its mailing is recorded (APPI Art. 33(1)).
    `withheld` (disclosure only): what a partial disclosure withholds and why (Art. 33(2))."""
    from requests_app.services import paper, refusals, restrictions

    now = _now(now)
    text = _require_text(text, field="text", limit=REPLY_MAX_CHARS)
    files = _clean_attachments(attachments)
    with _locked_for(request, "reply") as request:
        _require_decisions(request)
        from requests_app.services.representatives import representative_disclosure_check

        representative_disclosure_check(request)  # APPI Art. 37(3): verified representative
        request.withheld = refusals.withheld_clean(request=request, withheld=withheld)
        request.reply_text = text
        request.reply_attachments = files
        request.replied_at = now
        if request.type in deadlines.PROPAGATING_TYPES:
            request.effective_due_at = clock.effective_due_at(now)
        _transition(request, action="reply", actor=actor, now=now,
                    data={"attachments": [f["name"] for f in files],
                          **({"withheld": len(request.withheld)} if request.withheld else {})})
        mailing = paper.paper_task_create(request=request, now=now)  # APPI Art. 33(1)
        if (request.type not in deadlines.PROPAGATING_TYPES and mailing is None
                and not _package_follows(request)):
            request.completed_at = now
            request.closed_at = now
            _transition(request, action="complete", actor=actor, now=now)
        from requests_app.services import fulfilment

        notify_subject(request, kind="request_replied", cause_suffix="replied",
                       extra=fulfilment.reply_context(request))
        restrictions.restriction_apply(request=request, now=now)  # APPI Art. 35
        if mailing is None:
            transaction.on_commit(lambda: fulfilment.request_after_reply(request=request))
        return request



@enforces("P21")
def _require_decisions(request: DataSubjectRequest) -> None:
    """A correction is replied to only once every item is accepted or refused (issue 19)."""
    if request.type != RequestType.CORRECTION:
        return
    undecided = correction_undecided(request)
    if undecided:
        message = _("Decide every item of the correction (accept, or refuse with a reason) "
                    "before replying: %(count)d still open.") % {"count": len(undecided)}
        raise ConflictError(message, code="correction_undecided",
                            details={"items": [str(i) for i in undecided]})



def _package_follows(request: DataSubjectRequest) -> bool:
    """A disclosure to an account stays `replied` while its package is prepared; building the
    package completes it (issue 19 item 9; services/packages.py)."""
    return request.type == RequestType.DISCLOSURE and request.subject_id is not None



@enforces("APPI-33")
def request_reject(*, request: DataSubjectRequest, actor, reason: str, ground: str,
                   now: datetime | None = None) -> DataSubjectRequest:
    """Refuse with a ground (APPI Art. 33(2) for a disclosure, else the list of
    requests_app.models.RefusalReason) and `reason`, the explanation; both reach the person."""
    from requests_app.services.refusals import refusal_validate

    now = _now(now)
    reason = _require_text(reason, field="reason", limit=settings.REQUESTS["TEXT_MAX_CHARS"])
    with _locked_for(request, "reject") as request:
        refusal_validate(request_type=request.type, ground=ground, explanation=reason)
        request.refusal_ground = ground
        request.rejection_reason = reason
        return _close_unanswered(request, action="reject", actor=actor, now=now, note=reason,
                                 kind="request_rejected", cause_suffix="rejected")



def request_withdraw(*, request: DataSubjectRequest, actor, reason: str = "",
                     now: datetime | None = None) -> DataSubjectRequest:
    """The subject withdraws before the reply; after it the request can no longer be withdrawn."""
    now = _now(now)
    if reason and len(reason) > settings.REQUESTS["TEXT_MAX_CHARS"]:
        raise DomainError(_("The reason is too long."), details={"reason": [_("The reason is too long.")]})
    with _locked_for(request, "withdraw") as request:
        return _close_unanswered(request, action="withdraw", actor=actor, now=now, note=reason,
                                 kind="request_withdrawn", cause_suffix="withdrawn")


def _close_unanswered(request: DataSubjectRequest, *, action: str, actor, now: datetime,
                      note: str, kind: str, cause_suffix: str) -> DataSubjectRequest:
    """Close a request that gets no reply (rejected or withdrawn; inside the caller's atomic
    block, the row locked): its open identity challenges stop working, the subject is told."""
    request.closed_at = now
    request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
    _transition(request, action=action, actor=actor, now=now, note=note)
    notify_subject(request, kind=kind, cause_suffix=cause_suffix)
    return request



def request_complete(*, request: DataSubjectRequest, actor=None, note: str = "",
                     now: datetime | None = None, notify: bool = True) -> DataSubjectRequest:
    """A correction or deletion is in effect everywhere (called by fulfilment), a disclosure's
    package is ready (packages; its own email says so: `notify=False`), a paper reply mailed."""
    now = _now(now)
    with _locked_for(request, "complete") as request:
        request.completed_at = now
        request.closed_at = now
        _transition(request, action="complete", actor=actor, now=now, note=note)
        if notify and request.type != RequestType.DELETION:  # after a deletion, no address:
            notify_subject(request, kind="request_completed", cause_suffix="completed")
        return request  # the reply told the subject when it takes effect and what is kept



def request_reopen(*, request: DataSubjectRequest, actor, note: str,
                   now: datetime | None = None) -> DataSubjectRequest:
    """Staff reopen a replied request (issue 25: one handled automatically) so a person
    reviews and replies again; the first reply stays on the timeline. Not once a correction or
    deletion has started changing data (that cannot be taken back by reopening)."""
    now = _now(now)
    note = _require_text(note, field="note", limit=settings.REQUESTS["TEXT_MAX_CHARS"])
    with _locked_for(request, "reopen") as request:
        if request.propagations.exists():
            raise ConflictError(_("The change is already being applied: it cannot be reopened."),
                                code="already_started")
        request.completed_at = None
        request.closed_at = None
        event = _transition(request, action="reopen", actor=actor, now=now, note=note)
        notify_subject(request, kind="request_in_review", cause_suffix=f"reopened:{event.pk}")
        return request
