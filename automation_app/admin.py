"""Automation in the admin (issue 25): rules, the pause switch, the list of automatically handled
requests, the review queue, staff flags and the change log. Privacy officers only (their group
holds automation_app's permissions, accounts_app.roles); every change goes through a service
that logs it (AutomationChange). Lists show references, types and channels, no personal data;
the staff flags name a subject and are behind the P18 reason gate."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts_app.admin_access import PersonalDataAccessMixin
from automation_app.labels import channel_label, type_label
from automation_app.models import (
    AutomationChange,
    AutomationControl,
    AutomationRule,
    AutomationRun,
    ReviewItem,
    RunStatus,
    StaffFlag,
)
from automation_app.services import staff as services
from ccucaas_privacy.admin import ReadOnlyAdmin
from ccucaas_privacy.errors import DomainError
from requests_app.details import CORRECTABLE_FIELDS
from requests_app.models import Channel, RequestType

PERMISSION = "automation_app.change_automationrule"


def _can_act(request) -> bool:
    return request.user.has_perm("automation_app.change_automationrun")


class RuleForm(forms.ModelForm):
    request_type = forms.ChoiceField(label=_("request type"), choices=RequestType.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    self_service_fields = forms.MultipleChoiceField(
        label=_("self-service fields"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(k, v) for k, v in CORRECTABLE_FIELDS.items()])

    class Meta:
        model = AutomationRule
        fields = ["request_type", "channel", *services.RULE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the type and channel of a rule never change
            self.fields.pop("request_type", None)
            self.fields.pop("channel", None)

    def clean(self):
        data = super().clean()
        values = {k: data.get(k) for k in services.RULE_FIELDS if k in data}
        request_type = data.get("request_type") or self.instance.request_type
        try:
            services.rule_values_clean(request_type=request_type, values=values)
        except DomainError as exc:
            for field, errors in exc.details.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ["type_display", "channel_display", "mode", "cooling_off_hours",
                    "frequency_max_requests", "frequency_days", "updated_at"]
    list_filter = ["mode"]
    actions = None

    @admin.display(description=_("request type"), ordering="request_type")
    def type_display(self, obj):
        return type_label(obj.request_type)

    @admin.display(description=_("channel"), ordering="channel")
    def channel_display(self, obj):
        return channel_label(obj.channel)

    def get_readonly_fields(self, request, obj=None):
        return ["request_type", "channel"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a rule is set to "to a person", never deleted: the log keeps its history

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data[k] for k in services.RULE_FIELDS if k in form.cleaned_data}
        if change:
            saved = services.automation_rule_update(rule=obj, values=values, actor=request.user)
        else:
            saved = services.automation_rule_create(
                request_type=form.cleaned_data["request_type"],
                channel=form.cleaned_data["channel"], values=values, actor=request.user)
        obj.pk = saved.pk


@admin.register(AutomationControl)
class AutomationControlAdmin(admin.ModelAdmin):
    list_display = ["__str__", "paused_reason", "sample_every", "handled_count", "updated_at"]
    fields = ["paused", "paused_reason", "sample_every", "handled_count"]
    readonly_fields = ["handled_count"]
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        services.automation_control_update(
            values={k: form.cleaned_data[k] for k in services.CONTROL_FIELDS},
            actor=request.user)


@admin.register(AutomationChange)
class AutomationChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "summary", "actor", "note"]
    list_filter = ["kind"]


def _note(admin_obj) -> str:
    return str(_("Reopened from the automation admin by a privacy officer."))


@admin.register(AutomationRun)
class AutomationRunAdmin(ReadOnlyAdmin):
    list_display = ["request", "type_display", "channel_display", "rule", "status", "run_at",
                    "handled_at", "sampled", "reasons_display"]
    list_filter = ["status", "rule"]
    search_fields = ["request__reference"]
    list_select_related = ["request", "rule", "review"]
    actions = ["reopen", "send_to_person"]

    @admin.display(description=_("request type"))
    def type_display(self, obj):
        return type_label(obj.request.type)

    @admin.display(description=_("channel"))
    def channel_display(self, obj):
        return channel_label(obj.request.channel)

    @admin.display(description=_("sampled for review"), boolean=True)
    def sampled(self, obj):
        return hasattr(obj, "review")

    @admin.display(description=_("reasons"))
    def reasons_display(self, obj):
        return " ".join(r.get("message", "") for r in obj.reasons)

    def has_act_permission(self, request) -> bool:
        return _can_act(request)

    @admin.action(description=_("Reopen for a person"), permissions=["act"])
    def reopen(self, request, queryset):
        _each(self, request, queryset.filter(status=RunStatus.HANDLED),
              lambda run: services.automation_reopen(run=run, actor=request.user,
                                                     note=_note(self)))

    @admin.action(description=_("Take out of automation (a person handles it)"),
                  permissions=["act"])
    def send_to_person(self, request, queryset):
        _each(self, request, queryset,
              lambda run: services.automation_send_to_person(run=run, actor=request.user))


def _each(model_admin, request, queryset, call) -> None:
    done = 0
    for obj in queryset:
        try:
            call(obj)
            done += 1
        except DomainError as exc:
            model_admin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if done:
        model_admin.message_user(request, _("%(n)d done.") % {"n": done}, messages.SUCCESS)


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    list_display = ["run", "created_at", "reviewed_at", "reviewed_by", "outcome"]
    list_filter = [("reviewed_at", admin.EmptyFieldListFilter), "outcome"]
    list_select_related = ["run__request"]
    actions = ["confirm", "reopen"]

    def has_act_permission(self, request) -> bool:
        return _can_act(request)

    @admin.action(description=_("Reviewed: handled correctly"), permissions=["act"])
    def confirm(self, request, queryset):
        _each(self, request, queryset.filter(reviewed_at=None),
              lambda item: services.review_item_confirm(item=item, actor=request.user))

    @admin.action(description=_("Reopen for a person"), permissions=["act"])
    def reopen(self, request, queryset):
        _each(self, request, queryset.filter(reviewed_at=None),
              lambda item: services.automation_reopen(run=item.run, actor=request.user,
                                                      note=_note(self)))


class FlagForm(forms.ModelForm):
    class Meta:
        model = StaffFlag
        fields = ["user", "request", "reason"]

    def clean(self):
        data = super().clean()
        req, user = data.get("request"), data.get("user")
        if req is not None and user is not None and req.subject_id != user.pk:
            raise ValidationError(_("The request is not this subject's."))
        return data


@admin.register(StaffFlag)
class StaffFlagAdmin(PersonalDataAccessMixin, admin.ModelAdmin):
    form = FlagForm
    list_display = ["user", "request", "reason", "placed_by", "placed_at", "lifted_at"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["user", "request"]
    actions = ["lift"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # placed and lifted, never edited

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_lift_permission(self, request) -> bool:
        return request.user.has_perm("automation_app.change_staffflag")

    def save_model(self, request, obj, form, change):
        flag = services.staff_flag_place(user=form.cleaned_data["user"],
                                         request=form.cleaned_data.get("request"),
                                         reason=form.cleaned_data["reason"], actor=request.user)
        obj.pk = flag.pk

    @admin.action(description=_("Lift the flag"), permissions=["lift"])
    def lift(self, request, queryset):
        _each(self, request, queryset.filter(lifted_at=None),
              lambda flag: services.staff_flag_lift(flag=flag, actor=request.user))
