"""The staff request list: days-left badge, filters and the most-urgent-first order (issue 9).

Everything here reads; the columns come from annotations and `select_related`, so the list
costs the same number of queries for 10 rows as for 200.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.contrib import admin
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ccucaas_privacy import clock
from ccucaas_privacy import staff as staff_roles
from requests_app.models import DataSubjectRequest, Status
from requests_app.selectors import requests as selectors

OPEN_FOR_REPLY = selectors.REPLY_PENDING


@dataclass(frozen=True)
class Badge:
    colour: str  # green, amber, red, grey
    label: str


def deadline_badge(obj: DataSubjectRequest, *, now: datetime | None = None) -> Badge:
    """Green > 7 days left, amber <= 7, red <= 1 or overdue, grey once replied (or closed)."""
    now = clock.now() if now is None else now
    if obj.replied_at is not None or obj.status not in (*OPEN_FOR_REPLY,
                                                        Status.AWAITING_VERIFICATION):
        return Badge("grey", str(_("replied") if obj.replied_at else obj.get_status_display()))
    if obj.reply_due_at is None:
        return Badge("grey", str(_("not started")))
    left = (obj.reply_due_at - now) / timedelta(days=1)
    if left <= 0:
        overdue = max(1, math.ceil(-left))
        return Badge("red", ngettext("overdue %(days)d day", "overdue %(days)d days",
                                     overdue) % {"days": overdue})
    days = math.ceil(left)
    label = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    if left <= 1:
        return Badge("red", label)
    return Badge("amber" if left <= 7 else "green", label)


def propagation_model():
    """Fulfilment's Propagation model, when helper "fulfil" has landed it."""
    try:
        return apps.get_model("requests_app", "Propagation")
    except LookupError:
        return None


def _propagation_annotations() -> dict:
    model = propagation_model()
    if model is None:
        return {}
    fk = next((f.name for f in model._meta.fields
               if f.is_relation and f.related_model is DataSubjectRequest), None)
    names = {f.name for f in model._meta.fields}
    if fk is None:
        return {}
    done = (Q(confirmed_at__isnull=False) if "confirmed_at" in names
            else Q(status__in=["confirmed", "done", "completed"]) if "status" in names else Q(pk=None))

    def _count(condition: Q):
        rows = (model.objects.filter(condition, **{fk: OuterRef("pk")}).order_by()
                .values(fk).annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return {"propagations_total": _count(Q()), "propagations_done": _count(done)}


def changelist_queryset(qs: QuerySet) -> QuerySet:
    """Annotations of the list: urgency rank and propagation progress (one query)."""
    urgency = Case(
        When(status__in=OPEN_FOR_REPLY, reply_due_at__isnull=False, then=Value(0)),
        When(status=Status.AWAITING_VERIFICATION, then=Value(1)),
        When(status=Status.REPLIED, then=Value(2)),
        default=Value(3), output_field=IntegerField(),
    )
    return qs.select_related("subject", "assignee").annotate(urgency=urgency,
                                                             **_propagation_annotations())


def propagation_state(obj: DataSubjectRequest) -> str:
    total = getattr(obj, "propagations_total", None)
    if total:
        return str(_("%(done)d of %(total)d confirmed") % {"done": obj.propagations_done,
                                                           "total": total})
    if obj.type not in ("correction", "deletion") or obj.replied_at is None:
        return "—"
    if obj.completed_at is not None:
        return str(_("in effect everywhere"))
    return str(_("due by %(when)s") % {"when": selectors.format_jst(obj.effective_due_at)})


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        staff = [(str(u.pk), u.get_username()) for u in staff_roles.staff_members()]
        return [("me", _("Me")), ("none", _("Unassigned")), *staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = _("reply deadline")
    parameter_name = "deadline"
    WINDOWS = {"1d": 1, "3d": 3, "7d": 7}

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("1d", _("Due in 1 day")),
                ("3d", _("Due in 3 days")), ("7d", _("Due in 7 days"))]

    def queryset(self, request, queryset):
        now = clock.now()
        pending = Q(status__in=OPEN_FOR_REPLY)
        if self.value() == "overdue":
            return queryset.filter(pending, reply_due_at__lte=now)
        if self.value() in self.WINDOWS:
            until = now + timedelta(days=self.WINDOWS[self.value()])
            return queryset.filter(pending, reply_due_at__gt=now, reply_due_at__lte=until)
        return queryset


class VerificationFilter(admin.SimpleListFilter):
    title = _("identity verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("awaiting", _("Awaiting verification")), ("verified", _("Verified")),
                ("expired", _("Expired (never verified)"))]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(status=Status.AWAITING_VERIFICATION)
        if self.value() == "verified":
            return queryset.filter(identity_verified_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(status=Status.EXPIRED)
        return queryset


# --- Labels, never codes (issue 19 item 7) ---------------------------------------------------

ALERT_KIND_LABELS = {
    "propagation_warning": _("48-hour change deadline: 12 hours left"),
    "propagation_breach": _("48-hour change deadline missed"),
    "verification_expired": _("Expired without identity verification"),
    "verification_reminder": _("Reminder to verify identity"),
    "deadline_data_error": _("Deadline data missing"),
}


def alert_kind_label(kind: str) -> str:
    """`reply_reminder_7d` -> "Reminder: 7 days to the reply deadline", and so on."""
    if kind.startswith("reply_reminder_") and kind.endswith("d") and kind[15:-1].isdigit():
        days = int(kind[15:-1])
        return ngettext("Reminder: %(days)d day to the reply deadline",
                        "Reminder: %(days)d days to the reply deadline", days) % {"days": days}
    if kind.startswith("overdue_repeat_") and kind[15:].isdigit():
        return str(_("Overdue: reminder no. %(n)d") % {"n": int(kind[15:])})
    return str(ALERT_KIND_LABELS.get(kind, kind))


def alert_note_label(note: str) -> str:
    """The sweep's note "superseded by <kind>" with the kind as a label."""
    prefix = "superseded by "
    if note.startswith(prefix):
        return str(_("Superseded by: %(alert)s") % {"alert": alert_kind_label(note[len(prefix):])})
    return note


def event_action_label(action: str) -> str:
    from requests_app.selectors.progress import EVENT_LABELS

    return str(EVENT_LABELS.get(action, action.replace("_", " ")))


def status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value or "—"))
