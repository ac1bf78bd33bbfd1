"""The user verification page of spec 3.02.1: the agent sends the person to
`user_verification_url?redirect_to=...&request_id=...`; the person signs in to the matched
account and confirms; we then redirect to `redirect_to`. Another user's request is a 404."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agents_app import selectors, services
from ccucaas_privacy.errors import DomainError


def _redirect_to(value: str) -> str:
    """Only an https address is followed (it is the agent's page, given through the browser)."""
    if not value or len(value) > 500:
        return ""
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        return ""
    return value


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, pk) -> HttpResponse:
    drp = selectors.drp_request_for_user(user=request.user, pk=pk)
    if drp is None:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    given_id = source.get("request_id", str(drp.pk))
    if given_id != str(drp.pk):  # 3.02.1: the request_id must name this very request
        return render(request, "agents_app/verify.html", {"drp": drp, "mismatch": True},
                      status=400)
    redirect_to = _redirect_to(source.get("redirect_to", ""))
    context = {"drp": drp, "redirect_to": redirect_to,
               "pending": selectors.drp_needs_user(drp)}
    if request.method == "POST" and context["pending"]:
        try:
            services.drp_user_verify(drp=drp, user=request.user, redirect_to=redirect_to)
        except DomainError as exc:
            return render(request, "agents_app/verify.html", {**context, "error": exc.message},
                          status=exc.status)
        if redirect_to:
            return redirect(redirect_to)
        return render(request, "agents_app/verify.html", {**context, "pending": False,
                                                           "done": True})
    return render(request, "agents_app/verify.html", context)
