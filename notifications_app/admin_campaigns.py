"""Admin for campaigns: list with coverage figures, deliveries filterable, actions that call
the services (start, restart, acknowledge incomplete coverage). Behind the admin's TOTP sign-in."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.admin import ReadOnlyAdmin, ReadOnlyInline
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.forms import form_errors_add
from notifications_app.models import Campaign, CampaignEvent, CampaignKind, Delivery
from notifications_app.selectors import campaigns as selectors
from notifications_app.services import campaigns as services


class CampaignEventInline(ReadOnlyInline):
    model = CampaignEvent
    fields = ["created_at", "kind", "actor", "note", "data"]
    readonly_fields = fields


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["kind", "title_ja", "title_en", "body_ja", "body_en", "effective_at"]

    def clean(self):
        data = super().clean()
        errors = services.campaign_validate(
            kind=data.get("kind", ""), title_ja=data.get("title_ja", ""),
            title_en=data.get("title_en", ""), body_ja=data.get("body_ja", ""),
            body_en=data.get("body_en", ""), effective_at=data.get("effective_at"))
        form_errors_add(form=self, errors=errors)
        return data


def _coverage_column(figure: str, description):
    """A changelist column of CampaignAdmin: one figure of the campaign's coverage."""

    @admin.display(description=description)
    def column(model_admin, obj):
        return getattr(model_admin._coverage(obj), figure)

    column.__name__ = figure
    return column


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ["__str__", "kind", "status", "effective_at", "started_at", "needs_decision",
                    "recipients", "sent", "sent_on_time", "pending", "failed", "bounced",
                    "not_reached"]
    list_filter = ["kind", "status", "needs_decision"]
    fields = ["kind", "title_ja", "title_en", "body_ja", "body_en", "effective_at"]
    inlines = [CampaignEventInline]
    actions = ["start", "restart", "acknowledge"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.fields, "policy_version", "status", "batch_size", "started_at",
                "finished_at", "needs_decision", "coverage_figures"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or self.fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _coverage(self, obj):
        cache = getattr(self, "_coverage_cache", None)
        if cache is None or cache[0] != obj.pk:
            self._coverage_cache = (obj.pk, selectors.campaign_coverage(campaign=obj))
        return self._coverage_cache[1]

    @admin.display(description=_("coverage"))
    def coverage_figures(self, obj):
        return ", ".join(f"{k}: {v}" for k, v in self._coverage(obj).as_dict().items())

    recipients = _coverage_column("recipients", _("recipients"))
    sent = _coverage_column("sent", _("sent"))
    sent_on_time = _coverage_column("sent_on_time", _("sent 30 days ahead"))
    pending = _coverage_column("pending", _("pending"))
    failed = _coverage_column("failed", _("failed"))
    bounced = _coverage_column("bounced", _("bounced or rejected"))
    not_reached = _coverage_column("not_reached", _("not reached"))

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.campaign_create(
            kind=obj.kind, title_ja=obj.title_ja, title_en=obj.title_en, body_ja=obj.body_ja,
            body_en=obj.body_en, effective_at=obj.effective_at, created_by=request.user)
        obj.pk, obj._state.adding = created.pk, False

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [(k.value, k.label) for k in CampaignKind
                                 if k != CampaignKind.POLICY_CHANGE]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def _each(self, request, queryset, call) -> None:
        for campaign in queryset:
            try:
                call(campaign)
                self.message_user(request, _("%(campaign)s: done.") % {"campaign": campaign},
                                  messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"{campaign}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Start the selected draft campaigns"))
    def start(self, request, queryset) -> None:
        self._each(request, queryset,
                   lambda c: services.campaign_start(campaign=c, actor=request.user))

    @admin.action(description=_("Restart: send what is missing"))
    def restart(self, request, queryset) -> None:
        self._each(request, queryset,
                   lambda c: services.campaign_restart(campaign=c, actor=request.user))

    @admin.action(description=_("Acknowledge incomplete coverage (30-day line)"))
    def acknowledge(self, request, queryset) -> None:
        note = str(_("Acknowledged in the admin by %(user)s.") % {"user": request.user})
        self._each(request, queryset, lambda c: services.campaign_coverage_acknowledge(
            campaign=c, actor=request.user, note=note))


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """One row per recipient; filter by campaign and status to see who was not reached."""

    list_display = ["campaign", "user", "email_status", "queued_at", "sent_at", "outbound_email"]
    list_filter = ["outbound_email__status", "campaign"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["campaign", "campaign__policy_version", "user", "outbound_email"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    @admin.display(description=_("status"), ordering="outbound_email__status")
    def email_status(self, obj: Delivery) -> str:
        """The outbox row's own status: never behind it."""
        row = obj.outbound_email
        return row.get_status_display() if row is not None else obj.get_status_display()
