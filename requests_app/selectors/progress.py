"""Read-only progress of one request for its subject (issue 19, "Honest progress").

A disclosure shows preparing -> ready (size, expiry) -> downloaded; a correction or deletion
shows each data store and service provider with its state and the 48-hour deadline (P21); the
timeline is in the order things happened, each entry a label a person reads (never a code).
Nothing here writes.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from ccucaas_privacy import clock
from ccucaas_privacy.datasources import all_sources
from requests_app.models import (
    FINAL_STATUSES,
    DataSubjectRequest,
    PropagationStatus,
    RequestType,
    Status,
)

DONE, CURRENT, TODO = "done", "current", "todo"

# What each timeline event means to the subject (RequestEvent.action -> label).
EVENT_LABELS = {
    "receive": _("Request received"),
    "send_verification": _("Verification email sent"),
    "verification_reminder": _("Reminder of the verification email sent"),
    "verify_identity": _("Identity verified"),
    "expire": _("Expired without verification"),
    "assign": _("Assigned to a member of the privacy team"),
    "start_review": _("Review started"),
    "reply": _("Reply sent"),
    "reject": _("Rejected"),
    "withdraw": pgettext_lazy("request", "Withdrawn"),
    "complete": _("Completed"),
    "package_built": _("Disclosure package ready"),
    "package_download": _("Disclosure package downloaded"),
    "deletion_approve": _("Deletion approved"),
    "correction_item_decide": _("Correction item decided"),
    "fulfilment_start": _("Changes sent to every data store and service provider"),
    "fulfilment_waiting": _("Waiting for staff decisions"),
    "propagation_confirm_manual": _("A service provider confirmed the change"),
    "import": _("Request received from your authorized agent"),
    # issue 25 (automation_app)
    "automation_scheduled": _("Automatic deletion scheduled"),
    "automation_to_person": _("Passed to the privacy team"),
    "reopen": _("Reopened for review"),
}
# Events whose note the subject wrote (the reason they gave); other notes are staff-internal.
SUBJECT_NOTES = frozenset({"withdraw"})

PROPAGATION_BADGES = {
    PropagationStatus.PENDING: "info",
    PropagationStatus.SENT: "info",
    PropagationStatus.CONFIRMED: "ok",
    PropagationStatus.FAILED: "warn",
    PropagationStatus.HELD: "muted",
}
STATUS_BADGES = {
    Status.AWAITING_VERIFICATION: "warn",
    Status.RECEIVED: "info",
    Status.IN_REVIEW: "info",
    Status.REPLIED: "info",
    Status.COMPLETED: "ok",
    Status.REJECTED: "bad",
    Status.WITHDRAWN: "muted",
    Status.EXPIRED: "muted",
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # done, current, todo
    at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class Target:
    """One data store or service provider a correction or deletion is carried to."""

    label: str
    kind: str  # store, provider
    status: str
    status_label: str
    badge: str
    confirmed_at: datetime | None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    note: str = ""


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    targets: list[Target] = field(default_factory=list)
    effective_due_at: datetime | None = None
    hours_left: int | None = None
    package: dict | None = None
    downloaded_at: datetime | None = None
    in_progress: bool = False  # background work under way: the page refreshes itself


def status_badge(status: str) -> str:
    """The badge colour of a request status (portal list and detail)."""
    return STATUS_BADGES.get(status, "muted")


def days_left_label(request: DataSubjectRequest, *, now: datetime | None = None) -> str:
    """"30 days left" on the day a 30-day request arrives (never 31), "due today", "3 days late";
    empty once replied or closed, or while the 30 days have not started."""
    if request.reply_due_at is None or request.replied_at is not None or request.status in FINAL_STATUSES:
        return ""
    days = clock.days_left(request.reply_due_at, now=clock.now() if now is None else now)
    if days > 0:
        return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    if days == 0:
        return str(_("due today"))
    return ngettext("%(days)d day late", "%(days)d days late", -days) % {"days": -days}


def request_timeline_entries(request: DataSubjectRequest) -> list[TimelineEntry]:
    """The request's events in the order they happened, as labels (unknown kinds say "Update")."""
    entries = []
    for event in request.events.order_by("created_at", "id"):
        if event.action == "ignore":
            continue
        label = EVENT_LABELS.get(event.action, _("Update"))
        note = event.note if event.action in SUBJECT_NOTES else ""
        entries.append(TimelineEntry(at=event.created_at, label=str(label), note=note))
    return entries


# What each key of `details` is called on the subject's page (corrections are a table).
DETAIL_LABELS = {
    "subject": _("Subject"),
    "message": _("Message"),
    "note": _("Your note"),
    "reason": _("Reason"),
}


def request_details_rows(request: DataSubjectRequest) -> list[dict]:
    """The request's details as labelled fields (never raw JSON); correction items are shown
    by the template's table, anything else by its label ("Other details" if unknown)."""
    rows = []
    for key, value in (request.details or {}).items():
        if key in ("items", "method") or value in ("", None, [], {}):  # method: _appi_detail.html
            continue
        if isinstance(value, list | dict):
            continue  # structured values are shown by their own section, never as JSON
        label = DETAIL_LABELS.get(key, _("Other details"))
        rows.append({"key": key, "label": str(label), "value": str(value)})
    return rows


def _event_at(request: DataSubjectRequest, action: str) -> datetime | None:
    event = request.events.filter(action=action).order_by("created_at", "id").first()
    return event.created_at if event else None


def _common_steps(request: DataSubjectRequest) -> list[Step]:
    verified = request.status != Status.AWAITING_VERIFICATION
    steps = [Step("received", str(_("Request received")), DONE if verified else CURRENT,
                  request.received_at,
                  "" if verified else str(_("Waiting for you to confirm your identity by email.")))]
    if request.replied_at:
        steps.append(Step("reply", str(_("Reply sent")), DONE, request.replied_at))
    elif request.status in (Status.RECEIVED, Status.IN_REVIEW):
        steps.append(Step("reply", str(_("Reply")), CURRENT, None,
                          str(_("We are reviewing your request."))))
    elif request.status not in FINAL_STATUSES:
        steps.append(Step("reply", str(_("Reply")), TODO))
    return steps


def _closed_step(request: DataSubjectRequest) -> Step | None:
    if request.status in (Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED):
        return Step("closed", request.get_status_display(), DONE, request.closed_at)
    return None


def _disclosure(request: DataSubjectRequest, steps: list[Step]) -> Progress:
    from requests_app.services.packages import package_link

    package = package_link(request=request)
    built = request.packages.order_by("-created_at").first()
    downloaded_at = _event_at(request, "package_download")
    replied = request.replied_at is not None
    if built is None:
        steps.append(Step("preparing", str(_("Preparing your data")), CURRENT if replied else TODO))
        steps.append(Step("ready", str(_("Ready to download")), TODO))
    else:
        steps.append(Step("preparing", str(_("Preparing your data")), DONE))
        steps.append(Step("ready", str(_("Ready to download")), DONE, built.created_at))
    if downloaded_at:
        steps.append(Step("downloaded", str(_("Downloaded")), DONE, downloaded_at))
    elif built is not None and package is None:
        steps.append(Step("downloaded", str(_("Downloaded")), TODO, None,
                          str(_("The download link has expired."))))
    else:
        steps.append(Step("downloaded", str(_("Downloaded")), CURRENT if package else TODO))
    return Progress(steps=steps, package=package, downloaded_at=downloaded_at,
                    in_progress=replied and built is None)


def _source_titles() -> dict[str, str]:
    return {source.category: str(source.title) for source in all_sources()}


def _propagating(request: DataSubjectRequest, steps: list[Step], now: datetime) -> Progress:
    titles = _source_titles()
    targets = []
    for row in request.propagations.select_related("processor").order_by("processor_id", "source", "id"):
        provider = row.processor_id is not None
        targets.append(Target(
            label=row.processor.name if provider else titles.get(row.source, str(_("Other data"))),
            kind="provider" if provider else "store", status=row.status,
            status_label=row.get_status_display(), badge=PROPAGATION_BADGES.get(row.status, "muted"),
            confirmed_at=row.confirmed_at))
    open_rows = [t for t in targets if t.status not in (PropagationStatus.CONFIRMED, PropagationStatus.HELD)]
    if request.status == Status.COMPLETED:
        steps.append(Step("effective", str(_("Change in effect everywhere")), DONE, request.completed_at))
    elif request.status == Status.REPLIED:
        note = str(_("Waiting for the privacy team's decisions.")) if not targets else ""
        steps.append(Step("effective", str(_("Change in effect everywhere")), CURRENT,
                          request.effective_due_at, note))
    elif request.status not in FINAL_STATUSES:
        steps.append(Step("effective", str(_("Change in effect everywhere")), TODO))
    due = request.effective_due_at
    hours = clock.hours_left(due, now=now) if due and request.status == Status.REPLIED else None
    return Progress(steps=steps, targets=targets, effective_due_at=due, hours_left=hours,
                    in_progress=request.status == Status.REPLIED and (bool(open_rows) or not targets))


def request_progress(request: DataSubjectRequest, *, now: datetime | None = None) -> Progress:
    """Where the request stands, step by step, for its subject's detail page."""
    now = clock.now() if now is None else now
    steps = _common_steps(request)
    closed = _closed_step(request)
    if closed is not None:
        return Progress(steps=[*steps, closed])
    if request.type == RequestType.DISCLOSURE:
        return _disclosure(request, steps)
    if request.type in (RequestType.CORRECTION, RequestType.DELETION):
        return _propagating(request, steps, now)
    if request.status == Status.COMPLETED:
        steps.append(Step("completed", str(_("Completed")), DONE, request.completed_at))
    return Progress(steps=steps)
