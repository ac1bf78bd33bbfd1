"""Reads of data-subject requests. Every lookup for a user is scoped to that user."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from ccucaas_privacy import clock
from requests_app.models import (
    DUPLICATE_CHECKED_TYPES,
    OPEN_STATUSES,
    DataSubjectRequest,
    RequestType,
    Status,
)

REPLY_PENDING = (Status.RECEIVED, Status.IN_REVIEW)


def format_jst(value: datetime | None) -> str:
    """An instant as people in Japan read it (RULES.md: dates are taken in Asia/Tokyo)."""
    if value is None:
        return ""
    return clock.to_jst(value).strftime("%Y-%m-%d %H:%M JST")


def requests_for_user(user) -> QuerySet:
    return DataSubjectRequest.objects.filter(subject=user).order_by("-received_at")


def request_for_user(*, user, pk) -> DataSubjectRequest:
    """The user's own request; anybody else's (or a malformed id) is a 404."""
    try:
        return requests_for_user(user).get(pk=pk)
    except (DataSubjectRequest.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def request_timeline(request: DataSubjectRequest) -> QuerySet:
    return request.events.select_related("actor").order_by("created_at", "id")


def open_duplicate(*, type: str, subject=None, subject_email: str = "") -> DataSubjectRequest | None:
    """An open request of the same type by the same subject (pointed out, not duplicated);
    only types in DUPLICATE_CHECKED_TYPES have duplicates (a second inquiry never is one)."""
    if type not in DUPLICATE_CHECKED_TYPES:
        return None
    qs = DataSubjectRequest.objects.filter(type=type, status__in=OPEN_STATUSES)
    if subject is not None:
        qs = qs.filter(subject=subject)
    elif subject_email:
        qs = qs.filter(subject__isnull=True, subject_email__iexact=subject_email)
    else:
        return None
    return qs.only("id", "reference", "type").order_by("received_at").first()


def staff_requests(*, status: str | None = None, type: str | None = None,
                   overdue: bool | None = None, assignee: str | None = None,
                   now: datetime | None = None) -> QuerySet:
    """The staff list with its filters; `assignee` is a user id or "none" (unassigned)."""
    qs = DataSubjectRequest.objects.select_related("subject", "assignee").order_by("reply_due_at",
                                                                                   "received_at")
    if status:
        qs = qs.filter(status=status)
    if type:
        qs = qs.filter(type=type)
    if overdue is not None:
        is_overdue = Q(status__in=REPLY_PENDING, reply_due_at__lte=now or clock.now())
        qs = qs.filter(is_overdue) if overdue else qs.exclude(is_overdue)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=assignee)
    return qs


def request_is_overdue(request: DataSubjectRequest, *, now: datetime | None = None) -> bool:
    return (request.status in REPLY_PENDING and request.reply_due_at is not None
            and request.reply_due_at <= (now or clock.now()))


def api_password_stale(*, user, type: str, now: datetime | None = None) -> bool:
    """Disclosure and deletion through the API need the password proven within
    REQUESTS["API_REAUTH_SECONDS"] (the portal asks for it on the form itself)."""
    if type not in (RequestType.DISCLOSURE, RequestType.DELETION):
        return False
    confirmed = getattr(user, "api_password_confirmed_at", None)
    window = timedelta(seconds=settings.REQUESTS["API_REAUTH_SECONDS"])
    return confirmed is None or confirmed < (now or clock.now()) - window


def correction_items_decided(request: DataSubjectRequest) -> list[dict[str, Any]]:
    """Each item of a correction with the staff decision on it (P21): the field's label (never
    its code), the current and requested values, and accepted/refused with the note. Strings
    only, so the list can travel in an email's context."""
    from requests_app.details import CORRECTABLE_FIELDS
    from requests_app.models import CorrectionDecision

    decisions = {d.index: d for d in CorrectionDecision.objects.filter(request=request)}
    rows = []
    for index, item in enumerate(request.details.get("items", [])):
        decision = decisions.get(index)
        rows.append({
            "index": index, "field": item.get("field", ""),
            "label": str(CORRECTABLE_FIELDS.get(item.get("field"), item.get("field", ""))),
            "current_value": item.get("current_value", ""),
            "requested_value": item.get("requested_value", ""),
            "reason": item.get("reason", ""), "decided": decision is not None,
            "accepted": bool(decision and decision.accepted),
            "note": decision.note if decision else "",
        })
    return rows


def details_rows(request: DataSubjectRequest) -> list[tuple[str, str]]:
    """A request's `details` as (label, text) pairs staff read: field names and codes turned
    into labels (issue 19 item 7), correction items one per line."""
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    from requests_app.details import CORRECTABLE_FIELDS
    from requests_app.models import DisclosureMethod, StopGround

    labels = {"note": gettext_lazy("Note"), "subject": gettext_lazy("Subject"),
              "message": gettext_lazy("Message"), "items": gettext_lazy("Fields to correct"),
              "method": gettext_lazy("Disclosure method"), "grounds": gettext_lazy("Grounds"),
              "purposes": gettext_lazy("Purposes of use"),
              "recipients": gettext_lazy("Third parties"), "erase": gettext_lazy("Erase too")}
    choices = {"grounds": dict(StopGround.choices), "method": dict(DisclosureMethod.choices),
               "purposes": _purpose_names()}
    rows = []
    for key, value in (request.details or {}).items():
        if key == "items":
            text = "\n".join(
                "{}: {} → {}{}".format(CORRECTABLE_FIELDS.get(i.get("field"), i.get("field")),
                                       i.get("current_value") or "—", i.get("requested_value", ""),
                                       f" ({i['reason']})" if i.get("reason") else "")
                for i in value)
        elif isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(value, list):
            names = choices.get(key, {})
            text = ", ".join(str(names.get(v, v)) for v in value)
        else:
            text = str(choices.get(key, {}).get(value, value))
        rows.append((str(labels.get(key, key.replace("_", " ").capitalize())), text))
    return rows


def _purpose_names() -> dict[str, str]:
    from django.apps import apps
    from django.utils import translation

    purpose = apps.get_model("consent_app", "Purpose")
    column = "name_en" if translation.get_language() == "en" else "name_ja"
    return dict(purpose.objects.values_list("code", column))
