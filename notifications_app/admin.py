from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ccucaas_privacy.admin import ReadOnlyAdmin
from ccucaas_privacy.errors import DomainError
from notifications_app.models import OutboundEmail
from notifications_app.services.outbox import outbound_email_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    """Read-only: the outbox is evidence of what was sent. Staff can only retry failures."""

    list_display = ("created_at", "kind", "category", "recipient_email", "language", "status",
                    "attempts", "tracking_status", "needs_staff_attention", "sent_at")
    list_filter = ("kind", "category", "status", "tracking_status", "needs_staff_attention")
    search_fields = ("recipient_email", "user__username", "user__email", "cause")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    actions = ["retry_failed"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications_app.change_outboundemail")

    @admin.action(description=_("Retry the selected failed emails"), permissions=["retry"])
    def retry_failed(self, request, queryset) -> None:
        retried, skipped = 0, 0
        for row in list(queryset):
            try:
                outbound_email_retry(outbound_email=row)
                retried += 1
            except DomainError:  # not failed: sent, queued or suppressed rows stay as they are
                skipped += 1
        if retried:
            self.message_user(request, ngettext(
                "%(count)d email queued again.", "%(count)d emails queued again.", retried)
                % {"count": retried}, messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d email was skipped: only failed emails can be retried.",
                "%(count)d emails were skipped: only failed emails can be retried.", skipped)
                % {"count": skipped}, messages.WARNING)

from notifications_app import admin_campaigns  # noqa: E402,F401  (registers the campaign admin)
