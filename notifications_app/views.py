"""The one-click unsubscribe landing (RFC 8058). No language prefix: the link is in emails."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ccucaas_privacy.client_address import client_address
from ccucaas_privacy.errors import DomainError
from notifications_app.services.outbox import marketing_unsubscribe, unsubscribe_user

LANGUAGES = ("ja", "en")


def _client_ip(request: HttpRequest) -> str | None:
    return client_address(request)  # REMOTE_ADDR, or X-Forwarded-For behind trusted proxies


@csrf_exempt  # RFC 8058: mail providers POST without a session or a CSRF token.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will happen (a link scanner's GET changes nothing); POST unsubscribes."""
    language = request.GET.get("lang")
    language = language if language in LANGUAGES else translation.get_language()
    with translation.override(language):
        try:
            if request.method == "POST":
                marketing_unsubscribe(token=token, ip=_client_ip(request),
                                      user_agent=request.META.get("HTTP_USER_AGENT", ""))
                return render(request, "notifications_app/unsubscribe_done.html")
            unsubscribe_user(token=token)
        except DomainError as exc:
            return render(request, "notifications_app/unsubscribe_invalid.html",
                          {"message": exc.message}, status=400)
        return render(request, "notifications_app/unsubscribe_confirm.html",
                      {"action": request.get_full_path()})
