"""Disclosure by the method the person chose (APPI Art. 33(1), (3); issue 21).

`electronic` is the ZIP package; `paper` (書面の交付) is a staff task: print the readable version
(selectors.paper.paper_readable_content, a logged staff view) and mail it; recording the mailing
(date, by whom, tracking number) completes the request. When the chosen method cannot be used,
staff record why and the method used instead before the reply; the reply tells the person.
"""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from requests_app.models import (
    DataSubjectRequest,
    DisclosureMethod,
    PaperMailing,
    RequestEvent,
    RequestType,
    Status,
)
from requests_app.services.acting import acting_data

TEXT_MAX = 5000


def method_chosen(request: DataSubjectRequest) -> str:
    return (request.details or {}).get("method") or DisclosureMethod.ELECTRONIC


def method_effective(request: DataSubjectRequest) -> str:
    """The method the disclosure is made by: the chosen one unless staff recorded another."""
    return request.method_used or method_chosen(request)


def is_paper(request: DataSubjectRequest) -> bool:
    return request.type == RequestType.DISCLOSURE and method_effective(request) == DisclosureMethod.PAPER


@enforces("APPI-33")
def disclosure_method_change(*, request: DataSubjectRequest, actor, method: str, reason: str,
                             now: datetime | None = None) -> DataSubjectRequest:
    """The chosen method cannot be used (Art. 33(3)): record why and the method used instead."""
    now = clock.now() if now is None else now
    errors: dict[str, list[str]] = {}
    if method not in DisclosureMethod.values:
        errors["method"] = [_("Choose electronic or paper.")]
    if not isinstance(reason, str) or not reason.strip() or len(reason) > TEXT_MAX:
        errors["reason"] = [_("Say why the chosen method cannot be used.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="invalid_method_change",
                          details=errors)
    with transaction.atomic():
        locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
        if locked.type != RequestType.DISCLOSURE:
            raise ConflictError(_("Only a disclosure has a disclosure method."),
                                code="not_a_disclosure")
        if locked.status not in (Status.RECEIVED, Status.IN_REVIEW):
            raise ConflictError(_("The method can only be changed before the reply."),
                                code="illegal_transition")
        if method == method_chosen(locked):
            message = _("This is the method the person chose.")
            raise DomainError(message, code="invalid_method_change", details={"method": [message]})
        locked.method_used = method
        locked.method_change_reason = reason.strip()
        locked.save(update_fields=["method_used", "method_change_reason"])
        RequestEvent.objects.create(
            request=locked, actor=actor if getattr(actor, "pk", None) else None,
            action="method_change", from_status=locked.status, to_status=locked.status,
            note=locked.method_change_reason,
            data={**acting_data(), "chosen": method_chosen(locked), "used": method},
            created_at=now)
        return locked


def paper_task_create(*, request: DataSubjectRequest, now: datetime) -> PaperMailing | None:
    """Inside the reply's transaction: a paper disclosure becomes a staff task (idempotent)."""
    if not is_paper(request):
        return None
    task, _created = PaperMailing.objects.get_or_create(request=request,
                                                        defaults={"created_at": now})
    return task


@enforces("APPI-33")
def paper_mailing_record(*, mailing: PaperMailing, actor, mailed_on: date | None,
                         tracking_number: str, now: datetime | None = None) -> PaperMailing:
    """Staff mailed the printed disclosure: record it; the request completes."""
    from requests_app.services.transitions import request_complete

    now = clock.now() if now is None else now
    errors: dict[str, list[str]] = {}
    if not isinstance(mailed_on, date):
        errors["mailed_on"] = [_("Give the date of mailing.")]
    elif mailed_on > clock.jst_date(now):
        errors["mailed_on"] = [_("The date of mailing cannot be in the future.")]
    tracking_number = (tracking_number or "").strip() if isinstance(tracking_number, str) else None
    if tracking_number is None or len(tracking_number) > 100:
        errors["tracking_number"] = [_("At most %(limit)d characters.") % {"limit": 100}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="invalid_mailing", details=errors)
    with transaction.atomic():
        locked = PaperMailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.recorded_at is not None:
            raise ConflictError(_("The mailing is already recorded."), code="already_mailed")
        locked.mailed_on = mailed_on
        locked.mailed_by = actor
        locked.tracking_number = tracking_number
        locked.recorded_at = now
        locked.save()
        request_complete(request=locked.request, actor=actor, now=now,
                         note=_("Mailed on %(date)s (tracking number: %(number)s)") % {
                             "date": mailed_on.isoformat(), "number": tracking_number or "-"})
        return locked


def method_context(request: DataSubjectRequest) -> dict[str, Any]:
    """What the person is told about the method (emails, portal), in the active language."""
    if request.type != RequestType.DISCLOSURE:
        return {}
    return {"method_chosen_label": str(DisclosureMethod(method_chosen(request)).label),
            "method_used_label": str(DisclosureMethod(request.method_used).label)
            if request.method_used else "",
            "method_change_reason": request.method_change_reason,
            "paper_to_follow": is_paper(request)}
