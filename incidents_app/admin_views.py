"""The admin pages of the incident register that act or show personal data. Every change is
one service call; a DomainError is shown on the form and nothing changes. Opening an incident
(its affected people) asks for a reason and is logged (P18, accounts_app.staff_access)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts_app.models import StaffAccessKind
from accounts_app.staff_access import access_gate
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from incidents_app import selectors, services
from incidents_app.forms import IncidentForm, NoticeForm, ReportForm
from incidents_app.models import REPORT_ITEMS, Incident, Stage

VIEW, CHANGE = "incidents_app.view_incident", "incidents_app.change_incident"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "opts": Incident._meta, **extra}


def _detail_url(incident: Incident) -> str:
    return reverse("admin:incidents_app_incident_change", args=[incident.pk])


def _add_errors(form, exc: DomainError) -> None:
    for field, problems in (exc.details or {}).items():
        form.add_error(field if field in form.fields else None, problems)
    if not exc.details:
        form.add_error(None, exc.message)


def _stage(stage: str) -> str:
    if stage not in Stage.values:
        raise Http404
    return stage


def _gate(request: HttpRequest, incident: Incident):
    """P18: the incident page lists the people affected; ask why, then log the view."""
    return access_gate(request, what=StaffAccessKind.PERSONAL_DATA,
                       label=_("Incident %(reference)s: people affected")
                       % {"reference": incident.reference},
                       object_ref=f"incidents_app.incident:{incident.reference}",
                       listing=f"incident:{incident.pk}")


def incident_record(request: HttpRequest) -> HttpResponse:
    _require(request, "incidents_app.add_incident")
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(**form.service_fields(), actor=request.user)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Incident %(reference)s recorded.")
                             % {"reference": incident.reference})
            return HttpResponseRedirect(_detail_url(incident))
    return render(request, "admin/incidents_app/incident/form.html",
                  _context(request, _("Record an incident"), form=form))


def incident_edit(request: HttpRequest, pk) -> HttpResponse:
    _require(request, CHANGE)
    incident = selectors.incident_get(pk=pk)
    initial = {name: getattr(incident, name) for name in services.EDITABLE}
    initial["data_items"] = "\n".join(incident.data_items)
    initial["affected_usernames"] = "\n".join(
        incident.affected_users.order_by("username").values_list("username", flat=True))
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        users = fields.pop("affected_users")
        try:
            services.incident_update(incident=incident, changes=fields, actor=request.user,
                                     affected_users=users)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Incident updated."))
            return HttpResponseRedirect(_detail_url(incident))
    return render(request, "admin/incidents_app/incident/form.html",
                  _context(request, _("Change incident %(reference)s")
                           % {"reference": incident.reference}, form=form, incident=incident))


def incident_detail(request: HttpRequest, pk) -> HttpResponse:
    _require(request, VIEW)
    incident = selectors.incident_get(pk=pk)
    if request.method == "GET" and (refused := _gate(request, incident)):
        return refused
    stages = [{"stage": stage, "label": label, "due_at": getattr(incident, f"{stage}_due_at"),
               "submitted_at": getattr(incident, f"{stage}_submitted_at")}
              for stage, label in Stage.choices]
    return render(request, "admin/incidents_app/incident/detail.html", _context(
        request, str(incident), incident=incident, stages=stages,
        categories=selectors.category_titles(incident),
        events=selectors.incident_timeline(incident),
        affected=incident.affected_users.order_by("username"),
        state=selectors.deadline_state(incident), now=clock.now(),
        can_change=request.user.has_perm(CHANGE)))


def report_edit(request: HttpRequest, pk, stage: str) -> HttpResponse:
    _require(request, CHANGE)
    incident = selectors.incident_get(pk=pk)
    report = selectors.incident_report(incident, _stage(stage))
    form = ReportForm(request.POST or None,
                      initial={name: getattr(report, name) for name in REPORT_ITEMS})
    if request.method == "POST" and form.is_valid() and report.submitted_at is None:
        try:
            act = (services.incident_report_save_and_submit if "submit" in request.POST
                   else services.incident_report_save)
            act(incident=incident, stage=stage, items=form.cleaned_data, actor=request.user)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Report submitted.") if "submit" in request.POST
                             else _("Report saved."))
            return HttpResponseRedirect(_detail_url(incident))
    return render(request, "admin/incidents_app/incident/report.html", _context(
        request, f"{incident.reference}: {Stage(stage).label}", form=form, incident=incident,
        report=report, stage=stage))


def report_sheet(request: HttpRequest, pk, stage: str) -> HttpResponse:
    """A printable, copy-ready sheet in Japanese for the Commission's web form."""
    _require(request, VIEW)
    incident = selectors.incident_get(pk=pk)
    with translation.override("ja"):
        return render(request, "admin/incidents_app/incident/sheet.html", {
            "incident": incident, "sheet": selectors.report_sheet(incident, _stage(stage)),
            "stage_label": str(Stage(stage).label)})


def report_json(request: HttpRequest, pk, stage: str) -> HttpResponse:
    _require(request, VIEW)
    incident = selectors.incident_get(pk=pk)
    response = JsonResponse(selectors.report_sheet(incident, _stage(stage)),
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}-{stage}.json"'
    return response


def notice_start(request: HttpRequest, pk) -> HttpResponse:
    _require(request, CHANGE)
    incident = selectors.incident_get(pk=pk)
    initial = {f"{language}_{name}": value for language, texts in (incident.notice or {}).items()
               for name, value in texts.items()}
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_notice_start(incident=incident, notice=form.notice(),
                                           actor=request.user)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The notice campaign to the people affected started."))
            return HttpResponseRedirect(_detail_url(incident))
    return render(request, "admin/incidents_app/incident/notice.html", _context(
        request, _("Notify the people affected"), form=form, incident=incident))


@require_POST
def publish(request: HttpRequest, pk) -> HttpResponse:
    _require(request, CHANGE)
    incident = selectors.incident_get(pk=pk)
    try:
        services.incident_publish(incident=incident, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The public notice is published."))
    return HttpResponseRedirect(_detail_url(incident))
