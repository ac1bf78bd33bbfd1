"""Staff triage of data-subject requests in the Django admin (issue 9; DESIGN section 9).

Rows are read-only: every change goes through a service, called from the buttons of the change
page (`requests_app/admin_actions.py`). The list shows the deadline at a glance and costs the
same number of queries whatever the number of rows.
"""

import importlib
import importlib.util

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts_app.models import StaffAccessKind
from accounts_app.staff_access import access_gate
from ccucaas_privacy.admin import ReadOnlyAdmin, ReadOnlyInline, admin_view_urls, labelled_filter
from requests_app import admin_actions
from requests_app.admin_lists import (
    AssigneeFilter,
    DeadlineFilter,
    VerificationFilter,
    alert_kind_label,
    alert_note_label,
    changelist_queryset,
    deadline_badge,
    event_action_label,
    propagation_state,
    status_label,
)
from requests_app.models import (
    DataSubjectRequest,
    DeadlineAlert,
    RequestEvent,
    VerificationChallenge,
)
from requests_app.selectors import requests as selectors
from requests_app.selectors.requests import details_rows

BADGE_STYLE = {"green": "#1e7e34", "amber": "#b36b00", "red": "#c82333", "grey": "#6c757d"}


class EventLabels:
    """Timeline columns as labels a person reads (never `receive`/`received`)."""

    @admin.display(description=_("what happened"), ordering="action")
    def action_label(self, obj) -> str:
        return event_action_label(obj.action)

    @admin.display(description=_("from"))
    def from_label(self, obj) -> str:
        return status_label(obj.from_status)

    @admin.display(description=_("to"))
    def to_label(self, obj) -> str:
        return status_label(obj.to_status)


class RequestEventInline(EventLabels, ReadOnlyInline):
    """The append-only timeline, read-only, in the order things happened."""

    model = RequestEvent
    fields = ["created_at", "action_label", "from_label", "to_label", "actor", "note"]
    readonly_fields = fields
    verbose_name_plural = _("timeline")
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("created_at", "id")


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "type", "channel", "subject_display", "status", "assignee",
                    "received_jst", "reply_due_jst", "days_left", "propagation"]
    list_filter = ["status", "type", "channel", AssigneeFilter, DeadlineFilter,
                   VerificationFilter]
    search_fields = ["reference", "subject__username", "subject__email", "subject_email"]
    list_select_related = ["subject", "assignee"]
    list_per_page = 100
    # JSON and code fields are shown as labelled fields (issue 19 item 7).
    readonly_fields = [{"details": "details_display", "reply_attachments": "attachments_display",
                        "withheld": "withheld_display", "language": "language_label"}
                       .get(f.name, f.name) for f in DataSubjectRequest._meta.fields]
    exclude = ["details", "reply_attachments", "withheld", "language"]
    inlines = [RequestEventInline]
    actions = None
    change_form_template = "admin/requests_app/datasubjectrequest/change_form.html"
    change_list_template = "admin/requests_app/datasubjectrequest/change_list.html"

    def get_queryset(self, request):
        qs = changelist_queryset(self.model._default_manager.get_queryset())
        return qs.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # Most urgent first: open requests by reply deadline, then unverified, then the rest.
        # `urgency` is annotated by get_queryset; other admins' forms order this model's rows
        # for their `request` field with this ordering too, on the plain manager.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "requests_app_datasubjectrequest_changelist":
            return ["urgency", "reply_due_at", "-received_at"]
        return ["reply_due_at", "-received_at"]

    # Read-only: new requests are recorded through the help-desk form (a service call), see
    # get_urls; every change goes through the buttons of the change page.

    def get_urls(self):
        return [*admin_view_urls(self, [
            ("helpdesk/", admin_actions.helpdesk_record, "helpdesk"),
            ("compliance/", admin_actions.compliance_report, "compliance"),
            ("compliance.csv", admin_actions.compliance_report_csv, "compliance_csv"),
            ("<uuid:pk>/act/<str:action>/", admin_actions.request_act, "act"),
        ]), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_record_helpdesk": request.user.has_perm("requests_app.add_datasubjectrequest"),
                 "can_view_report": admin_actions.can_view_report(request.user)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            refused = access_gate(request, what=StaffAccessKind.REQUEST_DETAIL,
                                  subject=obj.subject, email=obj.subject_email,
                                  object_ref=obj.reference)
            if refused is not None:
                return refused
        extra = admin_actions.change_context(request, obj) if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.display(description=_("details"))
    def details_display(self, obj) -> str:
        rows = details_rows(obj)
        if not rows:
            return "—"
        return format_html("<dl class=\"request-details\">{}</dl>", format_html_join(
            "", "<dt>{}</dt><dd style=\"white-space:pre-wrap\">{}</dd>", rows))

    @admin.display(description=_("reply attachments"))
    def attachments_display(self, obj) -> str:
        return ", ".join(a.get("name", "") for a in obj.reply_attachments or []) or "—"

    @admin.display(description=_("withheld from the disclosure"))
    def withheld_display(self, obj) -> str:
        return "; ".join(" / ".join(str(v) for v in item.values() if v)
                         for item in obj.withheld or []) or "—"

    @admin.display(description=_("language"))
    def language_label(self, obj) -> str:
        return str(dict(settings.LANGUAGES).get(obj.language, obj.language))

    @admin.display(description=_("subject"), ordering="subject__username")
    def subject_display(self, obj) -> str:
        if obj.subject_id:
            return f"{obj.subject.username} <{obj.subject.email}>"
        return f"{obj.subject_name} <{obj.subject_email}>"

    @admin.display(description=_("received (JST)"), ordering="received_at")
    def received_jst(self, obj) -> str:
        return selectors.format_jst(obj.received_at)

    @admin.display(description=_("reply due (JST)"), ordering="reply_due_at")
    def reply_due_jst(self, obj) -> str:
        return selectors.format_jst(obj.reply_due_at) or "—"

    @admin.display(description=_("days left"))
    def days_left(self, obj) -> str:
        badge = deadline_badge(obj)
        return format_html(
            '<span class="deadline-badge badge-{}" style="background:{};color:#fff;'
            'padding:2px 8px;border-radius:10px;white-space:nowrap">{}</span>',
            badge.colour, BADGE_STYLE[badge.colour], badge.label)

    @admin.display(description=_("propagation"))
    def propagation(self, obj) -> str:
        return propagation_state(obj)


@admin.register(RequestEvent)
class RequestEventAdmin(EventLabels, ReadOnlyAdmin):
    list_display = ["created_at", "request", "action_label", "from_label", "to_label", "actor"]
    readonly_fields = ["created_at", "request", "action_label", "from_label", "to_label", "actor",
                       "note"]
    exclude = ["action", "from_status", "to_status", "data"]
    list_filter = [labelled_filter("action", _("what happened"), event_action_label),
                   labelled_filter("to_status", _("to"), status_label)]
    search_fields = ["request__reference", "actor__username", "note"]
    list_select_related = ["request", "actor"]
    date_hierarchy = "created_at"


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    """What the deadline engine did; `deadline_data_error` rows need a human (filter kind)."""

    list_display = ["created_at", "request", "kind_label", "outcome", "due_at", "note_label"]
    list_filter = [labelled_filter("kind", _("kind"), alert_kind_label), "outcome"]
    readonly_fields = ["created_at", "request", "kind_label", "outcome", "due_at", "recipients",
                       "note_label"]
    exclude = ["kind", "note"]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj) -> str:
        return alert_kind_label(obj.kind)

    @admin.display(description=_("note"))
    def note_label(self, obj) -> str:
        return alert_note_label(obj.note)
    search_fields = ["request__reference", "kind", "note"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"


@admin.register(VerificationChallenge)
class VerificationChallengeAdmin(ReadOnlyAdmin):
    list_display = ["request", "created_at", "expires_at", "failed_attempts", "used_at",
                    "invalidated_at"]
    list_select_related = ["request"]
    search_fields = ["request__reference"]
    exclude = ["token_hash", "code_hash"]


# Fulfilment's admin (helper "fulfil") registers its models when present.
if importlib.util.find_spec("requests_app.admin_fulfilment") is not None:
    importlib.import_module("requests_app.admin_fulfilment")
importlib.import_module("requests_app.admin_paper")  # issue 21: paper disclosures to mail
