"""The agent registry and DRP requests in the admin (issue 23).

Agents are privacy officers' alone (accounts_app/roles.py grants agents_app to them only);
saving goes through agents_app.services.agent_save, which logs the change (AgentChange), and
agents.json from the DRP directory is imported through its own page. DRP requests and
callbacks are read-only; a request's page shows the identity claims, so it asks the P18
reason and is logged in the staff access log.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts_app.admin_access import PersonalDataAccessMixin
from agents_app import services
from agents_app.models import Agent, AgentChange, CallbackAttempt, DrpRequest, StatusCallback
from agents_app.registry import agent_fields_clean
from ccucaas_privacy.admin import ReadOnlyAdmin, ReadOnlyInline, admin_view_urls
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.forms import form_errors_add

EDITABLE = ["name", "verify_key", "web_url", "identity_assurance_url", "technical_contact",
            "business_contact", "active"]


class AgentChangeInline(ReadOnlyInline):
    model = AgentChange
    fields = ["created_at", "action", "actor", "changes"]
    readonly_fields = fields


def _https_by_default(field, **kwargs):
    """An agent's URL typed without a scheme is an HTTPS one (Django 6's default too)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class AgentForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = ["agent_id", *EDITABLE]
        formfield_callback = _https_by_default

    def clean(self):
        data = super().clean()
        agent_id = self.instance.agent_id or data.get("agent_id")
        try:
            agent_fields_clean(agent_id=agent_id,
                               fields={k: data[k] for k in EDITABLE if k in data})
        except DomainError as exc:
            form_errors_add(form=self, errors=exc.details)
        return data


class AgentsImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("agents.json from the DRP directory"))


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["agent_id", "name", "active", "technical_contact", "updated_at"]
    list_filter = ["active"]
    search_fields = ["agent_id", "name"]
    form = AgentForm
    fields = ["agent_id", *EDITABLE]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as AgentForm
    inlines = [AgentChangeInline]
    change_list_template = "admin/agents_app/agent/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ["agent_id"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an agent that filed requests stays on record: deactivate it instead

    def save_model(self, request, obj, form, change) -> None:
        saved = services.agent_save(agent_id=obj.agent_id, actor=request.user,
                                    fields={k: form.cleaned_data[k] for k in EDITABLE})
        obj.pk = saved.pk

    def get_urls(self):
        return [*admin_view_urls(self, [("import/", self.import_view, "import")]),
                *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = AgentsImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
                saved = services.agents_import(document=document, actor=request.user)
            except (UnicodeDecodeError, ValueError):
                form.add_error("file", _("The file is not JSON."))
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("%(count)d agents imported.") % {"count": len(saved)})
                return redirect(reverse("admin:agents_app_agent_changelist"))
        return TemplateResponse(request, "admin/agents_app/agent/import.html", {
            **self.admin_site.each_context(request), "form": form, "opts": self.opts,
            "title": _("Import agents.json")})


@admin.register(AgentChange)
class AgentChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "agent", "action", "actor"]
    list_select_related = ["agent", "actor"]


class CallbackInline(ReadOnlyInline):
    model = StatusCallback
    fields = ["created_at", "state", "attempts", "next_attempt_at", "delivered_at"]
    readonly_fields = fields


@admin.register(DrpRequest)
class DrpRequestAdmin(PersonalDataAccessMixin, ReadOnlyAdmin):
    subject_field = "user"
    list_display = ["received_at", "agent", "exercise", "state", "request_link", "final"]
    list_filter = ["agent", "exercise", "final"]
    list_select_related = ["agent", "request"]
    readonly_fields = ["id", "agent", "exercise", "regime", "relationships", "agent_request_id",
                       "status_callback", "drp_version", "claims", "user", "request_link",
                       "state", "reason", "processing_details", "received_at", "expected_by",
                       "last_status"]
    fields = readonly_fields
    inlines = [CallbackInline]

    @admin.display(description=gettext_lazy("data-subject request"))
    def request_link(self, obj) -> str:
        if not obj.request_id:
            return "—"
        url = reverse("admin:requests_app_datasubjectrequest_change", args=[obj.request_id])
        return format_html('<a href="{}">{}</a>', url, obj.request.reference)


class AttemptInline(ReadOnlyInline):
    model = CallbackAttempt
    fields = ["created_at", "http_status", "error"]
    readonly_fields = fields


@admin.register(StatusCallback)
class StatusCallbackAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "drp_request", "state", "attempts", "delivered_at"]
    list_filter = ["state"]
    list_select_related = ["drp_request__agent"]
    exclude = ["payload"]
    inlines = [AttemptInline]
