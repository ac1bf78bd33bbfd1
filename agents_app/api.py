"""The Data Rights Protocol endpoints under our `api_base` (`<SITE_URL>/drp`), spec section 2.

Signed POST and DELETE bodies arrive as `text/plain`; answers are JSON. Errors are the spec's
error state (3.06) `{"code": "<HTTP status>", "message": ..., "fatal": ...}` with a non-200
status, except the key setup, which fails with an empty 403 (2.05.1). Views only parse and
answer: agents_app.services does the work.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents_app import selectors, services
from agents_app.exercise import SUPPORTED_ACTIONS
from agents_app.models import Agent
from agents_app.signing import DrpError


def error_response(exc: DrpError) -> JsonResponse:
    return JsonResponse({"code": str(exc.status), "message": str(exc.message),
                         "fatal": exc.fatal}, status=exc.status)


def _forbidden(message: str = "Forbidden: this Bearer token is not valid for this resource."
               ) -> JsonResponse:
    return error_response(DrpError(message, status=403))


def _bearer_agent(request: HttpRequest) -> Agent | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return selectors.agent_for_token(token.strip())


@csrf_exempt  # authenticated by the signature and the Bearer token, not a session
@require_http_methods(["GET", "POST"])
def agent_endpoint(request: HttpRequest, agent_id: str) -> HttpResponse:
    """POST: pairwise key setup (2.05). GET: agent information (2.06)."""
    if request.method == "POST":
        try:
            token = services.agent_key_setup(agent_id=agent_id, body=request.body)
        except DrpError:
            return HttpResponse(status=403)  # 2.05.1: no response body
        return JsonResponse({"agent-id": agent_id, "token": token})
    agent = _bearer_agent(request)
    if agent is None or agent.agent_id != agent_id:
        return _forbidden()
    return JsonResponse({})


@csrf_exempt
@require_POST
def exercise_endpoint(request: HttpRequest) -> JsonResponse:
    """Data Rights Exercise (2.01); the answer is the status object (2.01.1)."""
    agent = _bearer_agent(request)
    if agent is None:
        return _forbidden()
    try:
        drp = services.drp_exercise(agent=agent, body=request.body)
    except DrpError as exc:
        return error_response(exc)
    return JsonResponse(selectors.status_object(drp))


@csrf_exempt
@require_http_methods(["GET", "DELETE"])
def request_endpoint(request: HttpRequest, request_id) -> JsonResponse:
    """GET: Data Rights Status (2.02). DELETE: Data Rights Revoke (2.04)."""
    agent = _bearer_agent(request)
    if agent is None:
        return _forbidden()
    drp = selectors.drp_request_for_agent(agent=agent, request_id=request_id)
    if drp is None:
        return error_response(DrpError("No such request.", status=404))
    if drp.agent_id != agent.pk:  # 2.02.1: another agent's request is a 403
        return _forbidden()
    if request.method == "DELETE":
        try:
            drp = services.drp_revoke(agent=agent, drp=drp, body=request.body)
        except DrpError as exc:
            return error_response(exc)
    return JsonResponse(selectors.status_object(drp))


@require_GET
def directory_entry(request: HttpRequest) -> JsonResponse:
    """Our entry for the DRP business directory (3.05.2), for operators to hand over."""
    site = settings.SITE_URL.rstrip("/")
    cfg = settings.DRP
    return JsonResponse({
        "id": cfg["BUSINESS_ID"],
        "name": cfg["BUSINESS_NAME"],
        "logo": cfg["LOGO_URL"] or None,
        "api_base": site + reverse("drp-api-base"),
        "supported_actions": SUPPORTED_ACTIONS,
        "supported_verifications": ["email"],
        "privacy_policy_url": site + reverse("consent:policy_current"),
        "web_url": site + "/",
        "technical_contact": cfg["TECHNICAL_CONTACT"],
        "business_contact": cfg["BUSINESS_CONTACT"],
    })


@require_GET
def api_base(request: HttpRequest) -> JsonResponse:
    """`api_base` itself: where the v1 endpoints are (no data)."""
    return JsonResponse({"drp.version": "1.0", "business-id": settings.DRP["BUSINESS_ID"]})
