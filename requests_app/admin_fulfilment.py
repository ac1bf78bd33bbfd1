"""Admin of fulfilment (issue 8): packages, legal holds, service providers, propagations.

Rows that are evidence are read-only; changes go through services (actions below)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.errors import DomainError
from requests_app import services_fulfilment as fulfilment
from requests_app.models import (
    CorrectionDecision,
    DisclosurePackage,
    LegalHold,
    Processor,
    Propagation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DisclosurePackage)
class DisclosurePackageAdmin(ReadOnlyAdmin):
    list_display = ["request", "file_name", "size_bytes", "created_at", "expires_at", "purged_at"]
    search_fields = ["request__reference"]
    list_select_related = ["request"]


@admin.register(CorrectionDecision)
class CorrectionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "index", "accepted", "note", "decided_by", "decided_at"]
    search_fields = ["request__reference"]
    list_select_related = ["request", "decided_by"]


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ["user", "categories", "basis", "placed_by", "placed_at", "released_at"]
    list_filter = ["basis", ("released_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "note"]
    actions = ["release"]

    def has_release_permission(self, request) -> bool:
        return request.user.has_perm("requests_app.change_legalhold")

    @admin.action(description=_("Release the selected holds"), permissions=["release"])
    def release(self, request, queryset):
        for hold in queryset:
            try:
                fulfilment.legal_hold_release(hold=hold, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{hold}: {exc.message}", messages.WARNING)


@admin.register(Processor)
class ProcessorAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "country", "connector", "endpoint_url", "active"]
    list_filter = ["purpose", "connector", "active"]
    search_fields = ["name"]
    # A provider's endpoint typed without a scheme is an HTTPS one (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Propagation)
class PropagationAdmin(ReadOnlyAdmin):
    list_display = ["request", "target_label", "status", "attempts", "next_attempt_at",
                    "confirmed_at", "last_error"]
    list_filter = ["status", "processor"]
    search_fields = ["request__reference", "source", "processor__name"]
    list_select_related = ["request", "processor"]
    actions = ["confirm_manual"]

    def has_confirm_permission(self, request) -> bool:
        return request.user.has_perm("requests_app.change_propagation")

    @admin.action(description=_("Confirm the selected manual propagations as done"),
                  permissions=["confirm"])
    def confirm_manual(self, request, queryset):
        note = str(_("Confirmed by %(user)s in the admin") % {"user": request.user})
        for row in queryset:
            try:
                fulfilment.propagation_confirm_manual(propagation=row, actor=request.user, note=note)
            except DomainError as exc:
                self.message_user(request, f"{row}: {exc.message}", messages.WARNING)
