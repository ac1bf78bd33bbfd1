"""The emails a request's transitions send, through the outbox (DESIGN section 8).

All of them are `mandatory` (P19: request receipts, verification, replies and staff notices
cannot be unsubscribed). Called inside the service's transaction; the outbox sends on commit.
"""

from functools import lru_cache
from typing import Any
from uuid import UUID

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

from notifications_app.kinds import Category, register_kind
from notifications_app.services.outbox import notification_build, notification_queue
from requests_app.models import DataSubjectRequest, RequestType, Status

KINDS = {
    "request_verification": "Link and code to verify the identity of a request's sender",
    "request_received": "Receipt of a data-subject request, with its reply due date",
    "request_in_review": "A data-subject request is being reviewed",
    "request_replied": "The reply to a data-subject request",
    "request_rejected": "A data-subject request was rejected, with the reason",
    "request_withdrawn": "Confirmation that a data-subject request was withdrawn",
    "request_verification_reminder": "The one reminder to verify a request, with a new link "
                                     "and code, before the link expires",
    "request_expired": "A request expired because identity was never verified",
    "request_completed": "A correction or deletion is in effect everywhere",
    "request_assigned": "Staff notice: a request was assigned to you",
    "request_package_ready": "The disclosure package is ready to download (signed link)",
}


def kinds_register() -> None:
    for kind, description in KINDS.items():
        register_kind(kind, category=Category.MANDATORY, description=description)


def _context(request: DataSubjectRequest, language: str) -> dict[str, Any]:
    from requests_app.selectors.requests import format_jst

    with translation.override(language):
        return {
            "reference": request.reference,
            "request_id": str(request.pk),
            "type": request.type,
            # the enum's label: get_FOO_display() would translate every choice to look one up
            "type_label": str(RequestType(request.type).label),
            "status": request.status,
            "status_label": str(Status(request.status).label),
            "received_at": format_jst(request.received_at),
            "reply_due_at": format_jst(request.reply_due_at),
            "effective_due_at": format_jst(request.effective_due_at),
            "reply_text": request.reply_text,
            "reply_attachments": [dict(a) for a in request.reply_attachments],
            "rejection_reason": request.rejection_reason,
            "detail_path": _detail_path(request.pk) if request.subject_id else "",
            "details": request.details,
            **appi_context(request),
        }


def appi_context(request: DataSubjectRequest) -> dict[str, Any]:
    """Issue 21, in the active language: the refusal's ground and what a partial disclosure
    withheld (APPI Art. 33(2), 36), the disclosure method (Art. 33(1), (3)), an accepted stop
    (Art. 35)."""
    from requests_app.services.paper import method_context
    from requests_app.services.refusals import refusal_context
    from requests_app.services.restrictions import restriction_reply_context

    return {**refusal_context(request), **method_context(request),
            **restriction_reply_context(request)}


_PK_PLACEHOLDER = UUID(int=0)


@lru_cache(maxsize=32)
def _detail_path_pattern(language: str, script_prefix: str, urlconf: str) -> str:
    return reverse("requests:detail", kwargs={"pk": _PK_PLACEHOLDER}, urlconf=urlconf)


def _detail_path(pk: UUID) -> str:
    """reverse("requests:detail", kwargs={"pk": pk}) in the active language, without resolving
    the URL pattern for every email (a reverse costs more than the rest of the context): the
    path is reversed once per language, script prefix and URLconf, and the id put in."""
    pattern = _detail_path_pattern(translation.get_language(), get_script_prefix(),
                                   get_urlconf() or settings.ROOT_URLCONF)
    return pattern.replace(str(_PK_PLACEHOLDER), str(pk))


def _subject_email_args(request: DataSubjectRequest, *, kind: str, cause_suffix: str,
                        extra: dict[str, Any] | None) -> dict[str, Any]:
    language = request.language
    args = {"kind": kind, "cause": f"request:{request.pk}:{cause_suffix}",
            "context": _context(request, language) | (extra or {}), "language": language}
    if request.representative_kind and request.representative_email:
        # APPI Art. 37(3): a representative filed it; every reply goes to them (issue 21).
        args["context"]["recipient_name"] = request.representative_name
        return args | {"email": request.representative_email}
    if request.subject_id:
        return args | {"user": request.subject}
    # a help-desk request has no user: greet with the name the requester gave in the form
    args["context"]["recipient_name"] = request.subject_name
    return args | {"email": request.subject_email}


def notify_subject(request: DataSubjectRequest, *, kind: str, cause_suffix: str,
                   extra: dict[str, Any] | None = None):
    return notification_queue(**_subject_email_args(request, kind=kind, cause_suffix=cause_suffix,
                                                    extra=extra))


def receipt_build(request: DataSubjectRequest):
    """The unsaved receipt email of a request being filed, for the filing to insert together
    with the request (notification_build); its cause names the new request, so it is new."""
    return notification_build(**_subject_email_args(request, kind="request_received",
                                                    cause_suffix="received", extra=None))


def notify_assignee(request: DataSubjectRequest, *, cause_suffix: str):
    assignee = request.assignee
    context = _context(request, assignee.language) | {
        "admin_path": reverse("admin:requests_app_datasubjectrequest_change", args=[request.pk]),
    }
    return notification_queue(kind="request_assigned", cause=f"request:{request.pk}:{cause_suffix}",
                              context=context, user=assignee)
