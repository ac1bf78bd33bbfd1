"""Status callbacks of service providers (OpenDSR, webhook). The raw body is verified against
the provider's key before anything is read; failures answer 4xx and change nothing."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ccucaas_privacy.api import problem_body
from ccucaas_privacy.errors import DomainError
from requests_app.services.propagation import propagation_callback


@csrf_exempt  # authenticated by the provider's signature, not a session
@require_POST
def fulfilment_callback(request: HttpRequest, processor_id: int) -> JsonResponse:
    try:
        row = propagation_callback(processor_id=processor_id, body=request.body,
                                   headers=request.headers)
    except DomainError as exc:
        return JsonResponse(problem_body(exc.status, exc.code, str(exc.message)), status=exc.status)
    except ValueError:
        return JsonResponse(problem_body(400, "invalid", str(_("Malformed body."))), status=400)
    return JsonResponse({"id": str(row.public_id), "status": row.status})
