"""Portal pages of data-subject requests (DESIGN section 9). Views call services and selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts_app.views import client_ip
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.ratelimit import RATE_LIMITED_MESSAGE, rate_limit_hit
from requests_app import hooks
from requests_app.forms import (
    FORMS_BY_TYPE,
    HelpdeskForm,
    ObjectionForm,
    VerifyForm,
    WithdrawForm,
    domain_error_to_form,
)
from requests_app.models import Channel, RequestType
from requests_app.selectors import requests as selectors
from requests_app.selectors.progress import (
    days_left_label,
    request_details_rows,
    request_progress,
    request_timeline_entries,
    status_badge,
)
from requests_app.services import filing, representatives, transitions, verification
from requests_app.services.filing import DuplicateRequestError
from requests_app.services.notify import appi_context
from requests_app.services.packages import (
    package_download_record,
    package_file_open,
    package_for_download,
)
from requests_app.services.transitions import can
from requests_app.services.verification import challenge_for_token, challenge_problem


def _duplicate_of(exc: DuplicateRequestError, user):
    ids = [d["id"] for d in exc.details.get("duplicate", [])]
    if not ids or user is None:
        return None
    try:
        return selectors.request_for_user(user=user, pk=ids[0])
    except Http404:
        return None


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    items = [{"obj": obj, "badge": status_badge(obj.status), "days_left": days_left_label(obj, now=now)}
             for obj in selectors.requests_for_user(request.user)]
    return render(request, "requests_app/request_list.html", {"items": items})


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/request_new.html", {"types": RequestType.choices})


@login_required
@require_http_methods(["GET", "POST"])
def request_new_of_type(request: HttpRequest, type: str) -> HttpResponse:
    form_class = FORMS_BY_TYPE.get(type)
    if form_class is None:
        raise Http404
    form = form_class(request.POST or None, user=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            created, _sent = filing.request_file(type=type, channel=Channel.PORTAL,
                                                   details=form.details(), subject=request.user)
        except DuplicateRequestError as exc:
            duplicate = _duplicate_of(exc, request.user)
            form.add_error(None, exc.message)
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, _("Your request %(reference)s was received.")
                             % {"reference": created.reference})
            return redirect("requests:detail", pk=created.pk)
    return render(request, "requests_app/request_form.html", {
        "form": form, "type": type, "type_label": RequestType(type).label, "duplicate": duplicate,
    })


@login_required
def request_detail(request: HttpRequest, pk: str) -> HttpResponse:
    obj = selectors.request_for_user(user=request.user, pk=pk)
    progress = request_progress(obj)
    return render(request, "requests_app/request_detail.html", {
        "obj": obj,
        "events": request_timeline_entries(obj),
        "progress": progress,
        "status_badge": status_badge(obj.status),
        "days_left": days_left_label(obj),
        "can_withdraw": can("withdraw", obj.status),
        "overdue": selectors.request_is_overdue(obj),
        "withdraw_form": WithdrawForm(),
        "package": progress.package,
        "details": request_details_rows(obj),
        "appi": appi_context(obj),  # issue 21: refusal ground, withheld, method, restriction
        "panels": [panel for panel in hooks.request_detail_panels.call(
            http_request=request, request_obj=obj) if panel],
    })


@login_required
def package_download(request: HttpRequest, pk: str, token: str) -> HttpResponse:
    """Signed link, owner only: another user or a bad signature 404, expired 410 (P21)."""
    try:
        package = package_for_download(user=request.user, request_id=pk, token=token)
    except DomainError as exc:
        if exc.status == 410:
            return render(request, "requests_app/package_gone.html", status=410)
        raise Http404 from exc
    package_download_record(package=package, user=request.user)
    return FileResponse(package_file_open(package=package), as_attachment=True,
                        filename=package.file_name.rsplit("/", 1)[-1], content_type="application/zip")


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: str) -> HttpResponse:
    """GET: the confirmation step (withdrawing cannot be undone); POST: withdraw."""
    obj = selectors.request_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        if not can("withdraw", obj.status):
            return redirect("requests:detail", pk=obj.pk)
        return render(request, "requests_app/request_withdraw.html",
                      {"obj": obj, "form": WithdrawForm()})
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect("requests:detail", pk=obj.pk)
    try:
        transitions.request_withdraw(request=obj, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("requests:detail", pk=obj.pk)


@require_http_methods(["GET", "POST"])
def helpdesk(request: HttpRequest) -> HttpResponse:
    """For people who cannot sign in: the request waits for email verification. A
    representative files here too, with proof of authority (APPI Art. 37(3))."""
    form = HelpdeskForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and rate_limit_hit(
            scope="helpdesk", client=client_ip(request),
            limit=settings.HELPDESK_RATE_LIMIT, window_seconds=settings.HELPDESK_RATE_WINDOW_SECONDS):
        form.is_valid()
        form.add_error(None, RATE_LIMITED_MESSAGE)
        return render(request, "requests_app/helpdesk_form.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            given = form.representative_input()
            proofs = given.pop("proofs")
            representative = representatives.representative_clean(**given, proofs=proofs)
            representatives.representative_request_file(
                representative=representative, proofs=proofs,
                type=form.cleaned_data["type"], channel=Channel.WEB_FORM, details=form.details(),
                subject_name=form.cleaned_data["name"], subject_email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE)
        except DuplicateRequestError:
            # Do not reveal to an anonymous visitor whether this address has requests.
            pass
        except DomainError as exc:
            domain_error_to_form(form, exc)
            return render(request, "requests_app/helpdesk_form.html", {"form": form})
        return render(request, "requests_app/helpdesk_sent.html",
                      {"email": form.cleaned_data["representative_email"]
                       if form.cleaned_data.get("representative_kind") else form.cleaned_data["email"],
                       "valid_hours": _code_valid_hours()})
    return render(request, "requests_app/helpdesk_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    challenge = challenge_for_token(token)
    problem = challenge_problem(challenge, now=clock.now())
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            verified = verification.request_verify_by_code(token=token, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code" if exc.code == "verification_wrong_code" else None, exc.message)
        else:
            return render(request, "requests_app/verify_done.html", {"obj": verified})
        problem = challenge_problem(challenge_for_token(token), now=clock.now())
    can_resend = bool(challenge and can("send_verification", challenge.request.status))
    status = 200 if challenge else 404
    return render(request, "requests_app/verify.html", {
        "form": form, "problem": problem, "token": token, "can_resend": can_resend,
    }, status=status)


@require_POST
def verify_resend(request: HttpRequest, token: str) -> HttpResponse:
    challenge = challenge_for_token(token)
    if challenge is None:
        raise Http404
    try:
        verification.request_send_verification(request=challenge.request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("requests:verify", token=token)
    return render(request, "requests_app/helpdesk_sent.html",
                  {"email": "", "resent": True, "valid_hours": _code_valid_hours()})


def _code_valid_hours() -> int:
    """How long the emailed link and code stay valid (the help-desk "sent" page names it)."""
    return settings.DEADLINES["VERIFICATION_CODE_TTL_HOURS"]


@require_http_methods(["GET", "POST"])
def representative_objection(request: HttpRequest, token: str) -> HttpResponse:
    """The person objects to a request a representative made in their name (APPI Art. 37(3)):
    the signed link from the email; the objection goes on the request's timeline."""
    try:
        obj = representatives.request_for_objection(token=token)
    except DomainError as exc:
        raise Http404 from exc
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        representatives.representative_objection_record(token=token,
                                                        note=form.cleaned_data["note"])
        return render(request, "requests_app/representative_objection.html",
                      {"obj": obj, "done": True})
    return render(request, "requests_app/representative_objection.html",
                  {"obj": obj, "form": form, "done": False})
