from django.contrib import admin, messages
from django.template import TemplateDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ccucaas_privacy.admin import ReadOnlyAdmin
from ccucaas_privacy.errors import DomainError
from notifications_app.models import OutboundEmail
from notifications_app.services.outbox import outbound_email_retry
from notifications_app.services.sending import outbound_email_render


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    """Read-only: the outbox is evidence of what was sent. Staff can only retry failures."""

    # Issue 19: staff read the email's subject, never the kind's code nor the raw context.
    list_display = ("created_at", "subject", "category", "recipient_email", "language", "status",
                    "attempts", "tracking_status", "needs_staff_attention", "sent_at")
    list_filter = ("category", "status", "tracking_status", "needs_staff_attention")
    search_fields = ("recipient_email", "user__username", "user__email", "cause")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    actions = ["retry_failed"]
    readonly_fields = ["subject", *(field.name for field in OutboundEmail._meta.fields
                                    if field.name not in ("kind", "context")), "text"]
    fields = readonly_fields

    @admin.display(description=_("subject"))
    def subject(self, obj: OutboundEmail) -> str:
        try:
            return outbound_email_render(outbound_email=obj)[0]
        except TemplateDoesNotExist:
            return _("(no template for this email)")

    @admin.display(description=_("text"))
    def text(self, obj: OutboundEmail) -> str:
        try:
            return outbound_email_render(outbound_email=obj)[1]
        except TemplateDoesNotExist:
            return _("(no template for this email)")

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
