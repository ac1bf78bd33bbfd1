"""Admin: purposes, the read-only ledger, policy versions (published through the service with
the 30-day guard as a form error), testimonials and provision records."""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.admin import ReadOnlyAdmin
from ccucaas_privacy.forms import form_errors_add
from consent_app import selectors, services
from consent_app.models import (
    ConsentEvent,
    PolicyAcceptance,
    PolicyVersion,
    ProcessingRestriction,
    ProvisionRecord,
    Purpose,
    Testimonial,
)


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    # Issue 19: staff read names; the code is internal and rule IDs live in the policy matrix.
    list_display = ["name_ja", "name_en", "required", "withdrawable", "parameterised"]
    readonly_fields = ["required", "withdrawable", "parameterised"]
    exclude = ["code", "rule"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PurposeFilter(admin.SimpleListFilter):
    """Filter the ledger by purpose, listed by name (a parameterised purpose with every parameter)."""

    title = _("purpose")
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        return [(purpose.code, purpose.name) for purpose in Purpose.objects.all()]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return queryset.filter(Q(purpose=code) | Q(purpose__startswith=f"{code}:"))


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "purpose_name", "action", "channel", "policy_version"]
    list_filter = ["action", "channel", PurposeFilter]
    exclude = ["purpose"]
    readonly_fields = ["purpose_name"]

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_name(self, obj: ConsentEvent) -> str:
        return selectors.purpose_label(obj.purpose)
    search_fields = ["user__username", "user__email", "purpose", "receipt_id"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "policy_version"]


@admin.register(PolicyAcceptance)
class PolicyAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "version", "kind", "channel"]
    list_filter = ["kind", "channel", "version"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "version"]


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["version", "effective_at", "importance", "summary_ja", "summary_en",
                  "full_text_ja", "full_text_en"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        errors = services.policy_version_validate(
            version=data.get("version", ""), effective_at=data.get("effective_at"),
            importance=data.get("importance", ""))
        form_errors_add(form=self, errors=errors)
        return data


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Adding a version publishes it through `policy_version_publish` (P25 guard)."""

    form = PolicyVersionForm
    list_display = ["version", "effective_at", "importance", "published_at"]
    ordering = ["-effective_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*PolicyVersionForm.Meta.fields, "published_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.policy_version_publish(
            **{f: form.cleaned_data[f] for f in PolicyVersionForm.Meta.fields},
            actor=request.user)
        obj.pk = created.pk
        obj.published_at = created.published_at
        obj._state.adding = False


class TestimonialForm(forms.ModelForm):
    class Meta:
        model = Testimonial
        fields = ["user", "display_name", "body", "language", "ready"]


@admin.register(Testimonial)
class TestimonialAdmin(admin.ModelAdmin):
    form = TestimonialForm
    list_display = ["display_name", "user", "ready", "published_now", "created_at"]
    list_filter = ["ready", "language"]
    search_fields = ["display_name", "body", "user__username"]
    raw_id_fields = ["user"]

    @admin.display(boolean=True, description=_("published now"))
    def published_now(self, obj):
        return selectors.testimonial_is_published(testimonial=obj)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.testimonial_update(testimonial=obj, display_name=data["display_name"],
                                        body=data["body"], language=data["language"],
                                        ready=data["ready"])
            return
        created = services.testimonial_create(
            user=data["user"], display_name=data["display_name"], body=data["body"],
            language=data["language"], ready=data["ready"], created_by=request.user)
        obj.pk = created.pk
        obj._state.adding = False


class ProvisionRecordForm(forms.ModelForm):
    data_categories = forms.CharField(
        label=_("data categories"), help_text=_("Comma-separated, e.g. profile, contacts"))

    class Meta:
        model = ProvisionRecord
        fields = ["user", "recipient", "recipient_type", "purpose", "legal_basis",
                  "data_categories", "provided_at", "consent_event"]

    def clean_data_categories(self):
        return [c.strip() for c in self.cleaned_data["data_categories"].split(",") if c.strip()]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        errors = services.provision_record_validate(
            user=data["user"], recipient=data.get("recipient", ""),
            recipient_type=data.get("recipient_type", ""), purpose=data.get("purpose", ""),
            legal_basis=data.get("legal_basis", ""),
            data_categories=data.get("data_categories", []),
            provided_at=data.get("provided_at"), consent_event=data.get("consent_event"))
        form_errors_add(form=self, errors=errors)
        return data


@admin.register(ProvisionRecord)
class ProvisionRecordAdmin(admin.ModelAdmin):
    form = ProvisionRecordForm
    list_display = ["provided_at", "user", "recipient", "recipient_type", "legal_basis"]
    list_filter = ["recipient_type", "legal_basis"]
    search_fields = ["recipient", "user__username", "user__email"]
    raw_id_fields = ["user", "consent_event"]
    list_select_related = ["user"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.provision_record(
            user=data["user"], recipient=data["recipient"],
            recipient_type=data["recipient_type"], purpose=data["purpose"],
            legal_basis=data["legal_basis"], data_categories=data["data_categories"],
            provided_at=data["provided_at"], consent_event=data.get("consent_event"),
            recorded_by=request.user)
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(ProcessingRestriction)
class ProcessingRestrictionAdmin(ReadOnlyAdmin):
    """Accepted stops of use and of provision (APPI Art. 35): evidence, written by the reply."""

    list_display = ["effective_from", "user", "kind", "purpose_name", "recipient", "scope", "erase",
                    "request_reference"]
    list_filter = ["kind", "scope"]
    exclude = ["purpose"]
    readonly_fields = ["purpose_name"]

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_name(self, obj: ProcessingRestriction) -> str:
        return selectors.purpose_label(obj.purpose) if obj.purpose else "-"
    search_fields = ["request_reference", "user__username", "purpose", "recipient"]
    list_select_related = ["user"]
