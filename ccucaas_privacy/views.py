from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework import exceptions

from ccucaas_privacy.health import broker_status, database_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 naming what is down."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@require_GET
def home(request: HttpRequest):
    return render(request, "home.html")


@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """APPI Art. 22 (issue 21): how long each category of personal data is kept (public)."""
    from ccucaas_privacy.datasources import retention_rows

    return render(request, "retention.html", {"rows": retention_rows()})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 of a URL that matched no pattern: the API's problem-details JSON under /api/
    (e.g. a malformed id), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"type": "about:blank", "title": _("Not found"), "status": 404,
                             "code": "not_found",
                             "detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
