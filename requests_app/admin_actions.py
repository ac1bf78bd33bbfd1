"""The admin's request pages that act: buttons of the change page, the help-desk recording
form and the compliance report. Every change is one service call; a DomainError/ConflictError
(e.g. an illegal transition) is shown to the member of staff, never swallowed."""

import importlib
from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts_app import roles
from accounts_app.selectors.staff import subject_data_summary
from ccucaas_privacy import clock, datasources
from ccucaas_privacy.errors import DomainError
from requests_app.admin_forms import StaffHelpdeskForm
from requests_app.admin_lists import deadline_badge
from requests_app.models import Channel, DataSubjectRequest
from requests_app.selectors import requests as selectors
from requests_app.services import transitions, verification

CHANGE = "requests_app.change_datasubjectrequest"
VERIFY = "requests_app.verify_identity"
FULFIL_MODULES = ("requests_app.services.fulfilment", "requests_app.services.propagation")


def can_view_report(user) -> bool:
    return user.has_perm(roles.REPORT_PERMISSION)


def fulfil_service(name: str) -> Callable | None:
    """A fulfilment service by its contract name, wherever helper "fulfil" put it."""
    for module_name in FULFIL_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if callable(getattr(module, name, None)):
            return getattr(module, name)
    return None


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")


def _withheld(request: HttpRequest) -> list[dict[str, str]]:
    """A partial disclosure's withheld item from the reply form (APPI Art. 33(2)), if any."""
    item = {k: _text(request, f"withheld_{k}") for k in ("what", "ground", "explanation")}
    return [item] if any(v.strip() for v in item.values()) else []


# action -> (permissions, any of which allows it; transition it needs or "")
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign_me": ((CHANGE, roles.ASSIGN_SELF_PERMISSION), "assign"),
    "verify_identity": ((VERIFY,), "verify_identity"),
    # Issue 21 (APPI Art. 37(3)): a representative's identity and proof of authority.
    "verify_representative": ((VERIFY,), ""),
    "start_review": ((CHANGE, roles.REPLY_PERMISSION), "start_review"),
    "reply": ((roles.REPLY_PERMISSION,), "reply"),
    "reject": ((roles.REJECT_PERMISSION,), "reject"),
    # Issue 21: how far a stop (APPI Art. 35) is accepted; the method used instead (Art. 33(3))
    "restriction_decide": ((roles.REPLY_PERMISSION,), "reply"),
    "method_change": ((roles.REPLY_PERMISSION,), "reply"),
    "correction_item": ((CHANGE,), ""),
    "deletion_approve": ((CHANGE,), ""),
    "legal_hold_place": (("requests_app.add_legalhold",), ""),
    "legal_hold_release": (("requests_app.change_legalhold",), ""),
    "propagation_confirm": (("requests_app.change_propagation",), ""),
}
FULFIL_ACTIONS = {"correction_item": "correction_item_decide",
                  "deletion_approve": "deletion_approve",
                  "legal_hold_place": "legal_hold_place",
                  "legal_hold_release": "legal_hold_release",
                  "propagation_confirm": "propagation_confirm_manual"}


# What each action does, shown beside its button (issue 19 item 8).
ACTION_HELP: dict[str, str] = {
    "assign_me": gettext_lazy("You become responsible for this request; it shows under "
                              "\"assigned to me\"."),
    "verify_identity": gettext_lazy("Confirm who the requester is (checked by another channel); "
                                    "the 30-day reply deadline then runs."),
    "verify_representative": gettext_lazy("Confirm the representative's identity and proof of "
                                          "authority before disclosing anything to them."),
    "start_review": gettext_lazy("Tell the requester that someone is working on the request."),
    "reply": gettext_lazy("Sends the reply to the requester. This cannot be undone; you are asked "
                          "to confirm."),
    "reject": gettext_lazy("Closes the request without doing what it asks; the requester is told "
                           "the ground and the reason. This cannot be undone; you are asked to "
                           "confirm."),
    "restriction_decide": gettext_lazy("Record how far the stop is accepted, and any substitute "
                                       "measure."),
    "method_change": gettext_lazy("Disclose by another method when the chosen one cannot be "
                                  "used; the reply says why."),
    "correction_item": gettext_lazy("Accept or refuse each item; a refusal needs a reason. The "
                                    "reply can be sent once every item is decided."),
    "deletion_approve": gettext_lazy("Approve the erasure; it runs after the reply, except what "
                                     "a legal hold keeps."),
    "legal_hold_place": gettext_lazy("Keep some categories of this person's data despite the "
                                     "deletion, for a stated legal basis."),
    "legal_hold_release": gettext_lazy("Release the hold; what it kept is then erased."),
    "propagation_confirm": gettext_lazy("Confirm that a change the provider cannot receive "
                                        "automatically was carried out by hand."),
}
# Irreversible actions go through a confirmation page first (no script needed).
CONFIRM_ACTIONS = frozenset({"reply", "reject"})


def _allowed(user, action: str) -> bool:
    perms, _transition = ACTIONS[action]
    return any(user.has_perm(p) for p in perms)


def _model(name: str):
    from django.apps import apps

    try:
        return apps.get_model("requests_app", name)
    except LookupError as exc:
        raise Http404 from exc


def _pk(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _perform(request: HttpRequest, obj: DataSubjectRequest, action: str) -> str:
    user = request.user
    if action == "assign_me":
        transitions.request_assign(request=obj, assignee=user, actor=user)
        return _("%(ref)s is assigned to you.")
    if action == "verify_identity":
        verification.request_verify_identity(request=obj, actor=user, note=_text(request, "note"))
        return _("The identity of the subject of %(ref)s is confirmed; the reply is due by %(due)s.")
    if action == "verify_representative":
        from requests_app.services.representatives import representative_verify

        representative_verify(request=obj, actor=user, note=_text(request, "note"))
        return _("The representative of %(ref)s and their authority are verified.")
    if action == "start_review":
        transitions.request_start_review(request=obj, actor=user)
        return _("The review of %(ref)s has started.")
    if action == "reply":
        transitions.request_reply(request=obj, actor=user, text=_text(request, "text"),
                                  withheld=_withheld(request))
        return _("The reply to %(ref)s was sent.")
    if action == "reject":
        transitions.request_reject(request=obj, actor=user, reason=_text(request, "reason"),
                                   ground=_text(request, "ground"))
        return _("%(ref)s was rejected; the subject is told the reason.")
    if action == "restriction_decide":
        from requests_app.services.restrictions import restriction_decide

        restriction_decide(request=obj, actor=user, scope=_text(request, "scope"),
                           scope_note=_text(request, "scope_note"),
                           substitute_measure=_text(request, "substitute_measure"),
                           substitute_reason=_text(request, "substitute_reason"))
        return _("The decision on the restriction of %(ref)s is recorded.")
    if action == "method_change":
        from requests_app.services.paper import disclosure_method_change

        disclosure_method_change(request=obj, actor=user, method=_text(request, "method"),
                                 reason=_text(request, "reason"))
        return _("The disclosure method of %(ref)s is changed; the reply will say why.")
    service = fulfil_service(FULFIL_ACTIONS[action])
    if service is None:
        raise Http404("This action is not available yet.")
    if action == "correction_item":
        index = request.POST.get("index", "")
        if not index.isdigit():
            raise DomainError(_("Choose a correction item."), code="invalid_item")
        service(request=obj, index=int(index), accept=request.POST.get("decision") == "accept",
                note=_text(request, "note"), actor=user)
        return _("The correction item of %(ref)s was decided.")
    if action == "deletion_approve":
        service(request=obj, actor=user)
        return _("The deletion of %(ref)s was approved.")
    if action == "legal_hold_place":
        if obj.subject is None:
            raise DomainError(_("This request has no account whose data could be held."),
                              code="no_subject")
        service(user=obj.subject, categories=request.POST.getlist("categories"),
                basis=_text(request, "basis"), note=_text(request, "note"), actor=user)
        return _("A legal hold was placed on the data of the subject of %(ref)s.")
    if action == "legal_hold_release":
        hold = get_object_or_404(_model("LegalHold"), pk=_pk(request, "hold"),
                                 user_id=obj.subject_id)
        service(hold=hold, actor=user)
        return _("The legal hold on the data of the subject of %(ref)s was released.")
    propagation = get_object_or_404(_model("Propagation"), pk=_pk(request, "propagation"),
                                    request=obj)
    service(propagation=propagation, actor=user, note=_text(request, "note"))
    return _("The manual propagation of %(ref)s is marked done.")


@require_POST
def request_act(request: HttpRequest, pk, action: str) -> HttpResponse:
    """One button of the change page: permission check, one service call, one message."""
    if action not in ACTIONS:
        raise Http404
    if not _allowed(request.user, action):
        raise PermissionDenied
    obj = get_object_or_404(DataSubjectRequest, pk=pk)
    if action in CONFIRM_ACTIONS and request.POST.get("confirmed") != "yes":
        return _confirm_page(request, obj, action)
    try:
        message = _perform(request, obj, action)
    except DomainError as exc:
        messages.error(request, f"{obj.reference}: {exc.message}")
    else:
        obj.refresh_from_db()
        messages.success(request, message % {"ref": obj.reference,
                                             "due": selectors.format_jst(obj.reply_due_at)})
    return HttpResponseRedirect(reverse("admin:requests_app_datasubjectrequest_change",
                                        args=[obj.pk]))


def _confirm_page(request: HttpRequest, obj: DataSubjectRequest, action: str) -> HttpResponse:
    """Show what will be sent and ask once more; the form posts the same fields back."""
    fields = [(name, value) for name, values in request.POST.lists()
              if name not in ("csrfmiddlewaretoken", "confirmed") for value in values]
    titles = {"reply": _("Send this reply?"), "reject": _("Reject this request?")}
    return render(request, "admin/requests_app/datasubjectrequest/confirm.html", {
        **admin.site.each_context(request), "title": titles[action], "dsr": obj,
        "opts": DataSubjectRequest._meta, "action": action, "fields": fields,
        "text": request.POST.get("text") or request.POST.get("reason", ""),
        "explanation": ACTION_HELP[action],
    })


def reply_draft(obj: DataSubjectRequest) -> str:
    """The per-type reply template in the request's language, for staff to edit."""
    with translation.override(obj.language or "ja"):
        extra = {}
        if obj.type == "correction":  # labels in the request's language
            items = selectors.correction_items_decided(obj)
            extra = {"corrections_accepted": [i for i in items if i["accepted"]],
                     "corrections_refused": [i for i in items
                                             if i["decided"] and not i["accepted"]]}
        return render_to_string(f"requests_app/admin/reply/{obj.type}.txt", {
            "name": obj.display_name, "reference": obj.reference,
            "type_label": obj.get_type_display(), "details": obj.details, **extra,
        }).strip()


def _fulfil_context(obj: DataSubjectRequest) -> dict:
    """Holds on the subject's data and manual propagations still to confirm (fulfilment)."""
    from django.apps import apps

    try:
        hold_model = apps.get_model("requests_app", "LegalHold")
        propagation_model = apps.get_model("requests_app", "Propagation")
    except LookupError:
        return {"legal_holds": [], "propagations": [], "hold_categories": [],
                "hold_bases": []}

    holds = (list(hold_model.objects.filter(user=obj.subject, released_at=None))
             if obj.subject_id else [])
    manual = list(propagation_model.objects.filter(request=obj, processor__connector="manual")
                  .exclude(status="confirmed").select_related("processor"))
    basis = hold_model._meta.get_field("basis")
    titles = {s.category: str(s.title) for s in datasources.all_sources()}
    labelled = [{"pk": h.pk, "label": "{} ({})".format(
        ", ".join(titles.get(c, c) for c in h.categories), h.get_basis_display())} for h in holds]
    return {"legal_holds": labelled, "propagations": manual,
            "hold_categories": sorted(titles.items(), key=lambda pair: pair[1]),
            "hold_bases": basis.choices}


def change_context(request: HttpRequest, obj: DataSubjectRequest) -> dict:
    """What the change page shows besides the fields: deadlines, data summary, buttons."""
    user = request.user

    def offered(action: str) -> bool:
        """Allowed for this member of staff and legal for this type and status (the state
        machine: TRANSITIONS and STAFF_STEPS in services/transitions.py)."""
        needed = ACTIONS[action][1]
        available = not FULFIL_ACTIONS.get(action) or fulfil_service(FULFIL_ACTIONS[action])
        legal = ((not needed or transitions.can(needed, obj.status))
                 and (action not in transitions.STAFF_STEPS
                      or transitions.step_applies(action, obj)))
        if action == "deletion_approve" and legal:
            legal = not obj.events.filter(action="deletion_approve").exists()
        return bool(_allowed(user, action) and available and legal)

    summary = None
    if obj.subject_id:
        summary = subject_data_summary(user=obj.subject)
    correction_items = (obj.details.get("items", []) if obj.type == "correction" else [])
    return {
        "dsr": obj,
        "representative_proofs": list(obj.representative_proofs.all())
        if obj.representative_kind else [],
        "badge": deadline_badge(obj),
        "deadlines": [
            (_("Received"), selectors.format_jst(obj.received_at)),
            (_("Identity verified"), selectors.format_jst(obj.identity_verified_at)),
            (_("Reply due"), selectors.format_jst(obj.reply_due_at)),
            (_("Replied"), selectors.format_jst(obj.replied_at)),
            (_("Change in effect by (48 h)"), selectors.format_jst(obj.effective_due_at)),
            (_("Completed"), selectors.format_jst(obj.completed_at)),
        ],
        "summary": summary,
        "offer": {action: offered(action) for action in ACTIONS},
        "reply_draft": reply_draft(obj) if offered("reply") else "",
        "correction_items": list(enumerate(correction_items)),
        "correction_decided": (selectors.correction_items_decided(obj)
                               if obj.type == "correction" else []),
        "correction_undecided": (transitions.correction_undecided(obj)
                                 if obj.type == "correction" else []),
        "help": ACTION_HELP,
        **_fulfil_context(obj),
        **_appi_context(obj),
    }


def _appi_context(obj: DataSubjectRequest) -> dict:
    """Issue 21: the choices of the refusal, restriction and method forms."""
    from consent_app.models import RestrictionScope
    from requests_app.models import STOP_TYPES, DisclosureMethod, DisclosureRefusalGround
    from requests_app.services.refusals import ground_label, grounds_allowed

    return {"refusal_grounds": [(g, ground_label(g)) for g in grounds_allowed(obj.type)],
            "withheld_grounds": DisclosureRefusalGround.choices,
            "restriction_scopes": RestrictionScope.choices,
            "disclosure_methods": DisclosureMethod.choices,
            "is_stop": obj.type in STOP_TYPES, "is_disclosure": obj.type == "disclosure"}


def helpdesk_record(request: HttpRequest) -> HttpResponse:
    """Record a contact made by mail, phone or form (channel help desk); the time of receipt
    may be in the past. The requester is then emailed a verification link and code."""
    if not request.user.has_perm("requests_app.add_datasubjectrequest"):
        raise PermissionDenied
    form = StaffHelpdeskForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            from requests_app.services import representatives

            given = form.representative_input()
            proofs = given.pop("proofs")
            obj, _sent = representatives.representative_request_file(
                representative=representatives.representative_clean(**given, proofs=proofs),
                proofs=proofs, type=data["type"], channel=Channel.HELPDESK,
                details=form.details(), subject_name=data["name"], subject_email=data["email"],
                language=data["language"], actor=request.user, received_at=data["received_at"])
        except DomainError as exc:
            from requests_app.forms import domain_error_to_form

            domain_error_to_form(form, exc)
        else:
            messages.success(request, _("%(ref)s was recorded; a verification email was sent to "
                                        "the requester.") % {"ref": obj.reference})
            return HttpResponseRedirect(reverse("admin:requests_app_datasubjectrequest_change",
                                                args=[obj.pk]))
    return render(request, "admin/requests_app/datasubjectrequest/helpdesk.html", {
        **admin.site.each_context(request), "title": _("Record a help-desk request"),
        "form": form, "opts": DataSubjectRequest._meta,
    })


def compliance_report(request: HttpRequest) -> HttpResponse:
    if not can_view_report(request.user):
        raise PermissionDenied
    from requests_app.admin_forms import CompliancePeriodForm
    from requests_app.selectors.report import report_build

    form = CompliancePeriodForm(request.GET or None)
    since, until = form.bounds()
    return render(request, "admin/requests_app/datasubjectrequest/compliance.html", {
        **admin.site.each_context(request), "title": _("Compliance report"),
        "report": report_build(since=since, until=until), "opts": DataSubjectRequest._meta,
        "generated_at": selectors.format_jst(clock.now()), "period_form": form,
        "period_query": request.GET.urlencode(),
    })


def compliance_report_csv(request: HttpRequest) -> HttpResponse:
    if not can_view_report(request.user):
        raise PermissionDenied
    from requests_app.admin_forms import CompliancePeriodForm
    from requests_app.selectors.report import report_csv

    since, until = CompliancePeriodForm(request.GET or None).bounds()
    month = clock.jst_date(clock.now()).strftime("%Y-%m")
    response = HttpResponse(report_csv(since=since, until=until),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="compliance-{month}.csv"'
    return response
