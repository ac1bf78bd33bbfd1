"""Admin of fulfilment (issue 8): packages, legal holds, service providers, propagations.

Rows that are evidence are read-only; changes go through services (actions below)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.admin import ReadOnlyAdmin
from ccucaas_privacy.errors import DomainError
from requests_app.models import (
    CorrectionDecision,
    DisclosurePackage,
    LegalHold,
    Processor,
    Propagation,
)
from requests_app.services import fulfilment, propagation
from requests_app.services import processors as fulfilment_processors


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
    """Privacy officers alone change providers (accounts_app/roles.py); every save goes through
    `processor_save` (validation, OpenDSR discovery, staff access entry)."""

    list_display = ["name", "purpose", "country", "connector", "endpoint_url", "active",
                    "certificate_expires_at", "last_error"]
    list_filter = ["purpose", "connector", "active"]
    search_fields = ["name"]
    readonly_fields = ["corrections", "discovery_summary", "discovery_expires_at",
                       "certificate_expires_at", "last_error", "last_error_at"]
    # A provider's endpoint typed without a scheme is an HTTPS one (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("corrections"))
    def corrections(self, obj) -> str:
        if obj.handles_corrections:
            return str(_("Sent to the provider."))
        return str(_("OpenDSR has no correction type and no extension is documented: each "
                     "correction becomes a staff task (confirm it under Propagations)."))

    @admin.display(description=_("discovery"))
    def discovery_summary(self, obj) -> str:
        d = obj.discovery or {}
        if not d:
            return "-"
        identities = ", ".join(f"{i['identity_type']}/{i['identity_format']}"
                               for i in d.get("supported_identities", []))
        return (f"API {d.get('api_version', '?')}; "
                f"{', '.join(d.get('supported_subject_request_types', []))}; {identities}; "
                f"{', '.join(d.get('supported_regulations', [])) or 'gdpr, ccpa'}")

    def save_model(self, request, obj, form, change) -> None:
        fulfilment_processors.processor_save(processor=obj, actor=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ProcessorForm(form):
            def full_clean(self):
                super().full_clean()  # the instance now holds the typed values
                if not self.is_bound or self.errors:
                    return
                try:  # the discovery read happens here so a refusal is shown on the form
                    fulfilment_processors.processor_check(processor=self.instance)
                except DomainError as exc:
                    for field, messages_ in (exc.details or {"__all__": [exc.message]}).items():
                        for message in messages_:
                            self.add_error(field if field in self.fields else None, message)

        return ProcessorForm


@admin.register(Propagation)
class PropagationAdmin(ReadOnlyAdmin):
    list_display = ["request", "target_label", "status", "manual", "attempts",
                    "next_attempt_at", "confirmed_at", "last_error"]
    list_filter = ["status", "manual", "processor"]
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
                propagation.propagation_confirm_manual(propagation=row, actor=request.user, note=note)
            except DomainError as exc:
                self.message_user(request, f"{row}: {exc.message}", messages.WARNING)
