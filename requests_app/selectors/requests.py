"""Reads of data-subject requests. Every lookup for a user is scoped to that user."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from ccucaas_privacy import clock
from requests_app.models import OPEN_STATUSES, DataSubjectRequest, RequestType, Status

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
    """An open request of the same type by the same subject (pointed out, not duplicated)."""
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
