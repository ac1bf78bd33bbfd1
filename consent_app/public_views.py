"""Machine endpoints without a language prefix."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def gpc_json(request):
    """GPC specification section 3.5: the site's support resource."""
    response = JsonResponse({"gpc": True, "lastUpdate": settings.GPC_LAST_UPDATE})
    response["Access-Control-Allow-Origin"] = "*"
    return response
