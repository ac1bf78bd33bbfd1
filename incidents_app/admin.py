"""The incident register in the admin (issue 22; APPI-26): a list with deadline badges (overdue
first) and filters, a read-only detail with the timeline, and pages that act through the
services (admin_views.py). Officers only (accounts_app.roles); views of an incident's affected
people are logged (P18)."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Case, DateTimeField, F, Q, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ccucaas_privacy import clock
from ccucaas_privacy.admin import ReadOnlyAdmin, admin_view_urls
from incidents_app import admin_views
from incidents_app.models import Incident, IncidentAlert, IncidentEvent

BADGE_STYLE = {"green": "#1e7e34", "amber": "#b36b00", "red": "#c82333", "grey": "#6c757d"}


def _badge(colour: str, label: str) -> str:
    return format_html('<span class="deadline-badge badge-{}" style="background:{};color:#fff;'
                       'padding:2px 8px;border-radius:10px;white-space:nowrap">{}</span>',
                       colour, BADGE_STYLE[colour], label)


def stage_badge(incident: Incident, stage: str, *, now=None) -> str:
    now = clock.now() if now is None else now
    submitted = getattr(incident, f"{stage}_submitted_at")
    due = getattr(incident, f"{stage}_due_at")
    if submitted is not None:
        return _badge("grey", str(_("submitted")))
    if not incident.reportable:
        return _badge("grey", str(_("not reportable")))
    left = (due - now) / timedelta(days=1)
    if left <= 0:
        return _badge("red", str(_("overdue")))
    days = max(1, int(-(-left // 1)))
    label = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    return _badge("red" if left <= 1 else "amber" if left <= 3 else "green", label)


class DeadlineFilter(admin.SimpleListFilter):
    title = _("report deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("open", _("report pending")),
                ("done", _("both reports submitted"))]

    def queryset(self, request, queryset):
        now = clock.now()
        pending_prelim = Q(preliminary_submitted_at__isnull=True)
        pending_final = Q(final_submitted_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter((pending_prelim & Q(preliminary_due_at__lte=now))
                                   | (pending_final & Q(final_due_at__lte=now)))
        if self.value() == "open":
            return queryset.filter(pending_prelim | pending_final)
        if self.value() == "done":
            return queryset.filter(preliminary_submitted_at__isnull=False,
                                   final_submitted_at__isnull=False)
        return queryset


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "known_jst", "reportable_display", "preliminary",
                    "final", "notice_link"]
    list_filter = [DeadlineFilter, "special_care", "financial_harm", "unlawful_intent",
                   "mitigated"]
    search_fields = ["reference", "title"]
    list_per_page = 100
    actions = None

    def get_queryset(self, request):
        # The report due next, pending reports first and the earliest (the overdue) on top.
        next_due = Case(
            When(preliminary_submitted_at__isnull=True, then=F("preliminary_due_at")),
            When(final_submitted_at__isnull=True, then=F("final_due_at")),
            default=None, output_field=DateTimeField())
        return super().get_queryset(request).annotate(next_due=next_due).order_by(
            F("next_due").asc(nulls_last=True), "-known_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # changes go through the pages of admin_views.py (services)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [*admin_view_urls(self, [
            ("record/", admin_views.incident_record, "record"),
            ("<uuid:pk>/edit/", admin_views.incident_edit, "edit"),
            ("<uuid:pk>/report/<str:stage>/", admin_views.report_edit, "report"),
            ("<uuid:pk>/report/<str:stage>/sheet/", admin_views.report_sheet, "sheet"),
            ("<uuid:pk>/report/<str:stage>.json", admin_views.report_json, "json"),
            ("<uuid:pk>/notice/", admin_views.notice_start, "notice"),
            ("<uuid:pk>/publish/", admin_views.publish, "publish"),
        ]), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.incident_record(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin_views.incident_detail(request, object_id)

    @admin.display(description=_("learned of (JST)"), ordering="known_at")
    def known_jst(self, obj) -> str:
        return clock.to_jst(obj.known_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("reportable"))
    def reportable_display(self, obj) -> str:
        return _("yes") if obj.reportable else _("no")

    @admin.display(description=_("preliminary report"), ordering="preliminary_due_at")
    def preliminary(self, obj) -> str:
        return stage_badge(obj, "preliminary")

    @admin.display(description=_("final report"), ordering="final_due_at")
    def final(self, obj) -> str:
        return stage_badge(obj, "final")

    @admin.display(description=_("notice campaign"))
    def notice_link(self, obj) -> str:
        if not obj.notice_campaign_id:
            return "—"
        url = reverse("admin:notifications_app_campaign_change", args=[obj.notice_campaign_id])
        return format_html('<a href="{}">{}</a>', url, _("notice campaign"))


@admin.register(IncidentEvent)
class IncidentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "incident", "action", "actor"]
    list_filter = ["action"]
    list_select_related = ["incident", "actor"]


@admin.register(IncidentAlert)
class IncidentAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "incident", "kind", "outcome", "due_at"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["incident"]
