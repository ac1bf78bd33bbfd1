"""Staff view of requests. Read-only rows; every change goes through a service (actions)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from requests_app import selectors, services
from requests_app.models import DataSubjectRequest, RequestEvent


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            ids = selectors.staff_requests(overdue=self.value() == "yes").values("pk")
            return queryset.filter(pk__in=ids)
        return queryset


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "type", "channel", "status", "display_name", "assignee",
                    "received_at", "reply_due_at", "days_left"]
    list_filter = ["status", "type", "channel", OverdueFilter, "assignee"]
    search_fields = ["reference", "subject__username", "subject__email", "subject_email",
                     "subject_name"]
    readonly_fields = [f.name for f in DataSubjectRequest._meta.fields]
    inlines = [RequestEventInline]
    actions = ["start_review"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("days left"))
    def days_left(self, obj) -> str:
        if obj.reply_due_at is None or obj.status not in selectors.REPLY_PENDING:
            return "—"
        return str((obj.reply_due_at - clock.now()).days)

    @admin.action(description=_("Start review of the selected requests"),
                  permissions=["change"])
    def start_review(self, request, queryset):
        for obj in queryset:
            try:
                services.request_start_review(request=obj, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{obj.reference}: {exc.message}", messages.WARNING)
