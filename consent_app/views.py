"""Portal pages: consent settings, receipts, policy pages, the banner, testimonials.

Views call services for every change; lookups of a user's objects are scoped to that user.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccucaas_privacy.errors import DomainError
from consent_app import receipts, selectors, services
from consent_app.middleware import client_ip
from consent_app.models import ConsentEvent, PolicyVersion
from consent_app.templatetags.consent_tags import BANNER_DISMISSED_KEY


def _settings_url() -> str:
    return reverse("consent:settings")


@login_required
@require_GET
def consent_settings(request):
    user = request.user
    states = selectors.consent_states(user=user)
    names = {state.code: state.name for state in states}
    context = {
        "states": states,
        # Each event names its purpose as people read it, never by its code (issue 19).
        "events": [{"event": event, "purpose_name": names.get(event.purpose) or _("Other purpose")}
                   for event in selectors.consent_events_for_user(user=user)[:100]],
        "acceptances": selectors.policy_acceptances_for_user(user=user),
        "testimonials": selectors.testimonials_for_user(user=user),
        "published_ids": set(selectors.testimonials_published()
                             .filter(user=user).values_list("pk", flat=True)),
        "current_policy": selectors.policy_version_current(),
        "upcoming_policy": selectors.policy_version_upcoming(),
    }
    return render(request, "consent_app/settings.html", context)


def _change(request, service, done_message: str):
    purpose = request.POST.get("purpose", "")
    try:
        service(user=request.user, purpose=purpose, channel="portal", ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return HttpResponseRedirect(_settings_url())


@login_required
@require_POST
def consent_grant(request):
    return _change(request, services.consent_grant, _("Your consent was recorded."))


@login_required
@require_POST
def consent_withdraw(request):
    return _change(request, services.consent_withdraw, _("Your consent was withdrawn."))


@login_required
@require_GET
def consent_receipt(request, receipt_id):
    try:
        event = selectors.consent_event_get(user=request.user, receipt_id=receipt_id)
    except ConsentEvent.DoesNotExist:
        raise Http404 from None
    body = json.dumps(receipts.consent_receipt(event), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{receipts.receipt_filename(event)}"'
    return response


@require_GET
def policy_current(request):
    version = selectors.policy_version_current()
    if version is None:
        raise Http404
    return render(request, "consent_app/policy_detail.html", {
        "version": version, "is_current": True,
        "upcoming": selectors.policy_version_upcoming(),
        "accepted": _accepted(request, version)})


@require_GET
def policy_detail(request, version):
    obj = policy_version_or_404(version)
    current = selectors.policy_version_current()
    return render(request, "consent_app/policy_detail.html", {
        "version": obj, "is_current": obj == current, "upcoming": None,
        "accepted": _accepted(request, obj)})


def policy_version_or_404(version: str) -> PolicyVersion:
    """The policy version named in the URL, or a 404 (portal and API alike)."""
    try:
        return selectors.policy_version_get(version=version)
    except PolicyVersion.DoesNotExist:
        raise Http404 from None


def _accepted(request, version) -> bool:
    user = request.user
    return bool(user.is_authenticated
                and selectors.policy_acceptance_exists(user=user, version=version))


@require_GET
def policy_history(request):
    current = selectors.policy_version_current()
    accepted_ids = set()
    if request.user.is_authenticated:
        accepted_ids = set(selectors.policy_acceptances_for_user(user=request.user)
                           .values_list("version_id", flat=True))
    return render(request, "consent_app/policy_history.html", {
        "versions": selectors.policy_versions_published(), "current": current,
        "accepted_ids": accepted_ids})


@login_required
@require_POST
def policy_accept(request, version):
    obj = policy_version_or_404(version)
    services.policy_accept(user=request.user, version=obj, channel="portal",
                           ip=client_ip(request),
                           user_agent=request.headers.get("User-Agent", ""))
    messages.success(request, _("You accepted policy version %(version)s.")
                     % {"version": obj.version})
    return HttpResponseRedirect(reverse("consent:policy_detail", args=[obj.version]))


@require_POST
def policy_banner_dismiss(request):
    """Hides the upcoming-change banner for this browser session (no ledger change)."""
    try:
        version_id = int(request.POST.get("version", ""))
    except ValueError:
        version_id = None
    if version_id is not None:
        dismissed = list(request.session.get(BANNER_DISMISSED_KEY, []))
        if version_id not in dismissed:
            dismissed.append(version_id)
        request.session[BANNER_DISMISSED_KEY] = dismissed
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("home")
    return HttpResponseRedirect(target)


@require_GET
def testimonials_public(request):
    return render(request, "consent_app/testimonials.html",
                  {"testimonials": selectors.testimonials_published()})
