"""Global Privacy Control (P12) and deemed policy acceptance (P25) on every request.

Both run in `process_view`, after every middleware's request phase, so a user signed in by
the persistent-login middleware is seen too. Session flags keep the ledger queries to one
per session and version.
"""

from django.http import HttpRequest

from ccucaas_privacy.client_address import client_address
from consent_app import selectors, services

GPC_SESSION_KEY = "consent_gpc_applied"
DEEMED_SESSION_KEY = "consent_deemed_version"


def gpc_signal(value: str | None) -> bool:
    """Sec-GPC per the GPC specification: the value must be exactly "1". Several header
    fields arrive joined by commas; any field that is "1" counts."""
    if not value:
        return False
    return any(part.strip(" \t") == "1" for part in value.split(","))


def client_ip(request: HttpRequest) -> str | None:
    return client_address(request)  # REMOTE_ADDR, or X-Forwarded-For behind trusted proxies


def _signed_in(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class GlobalPrivacyControlMiddleware:
    """Exposes `request.gpc` (templates suppress tracking tags) and withdraws
    `analytics_tracking` once, with channel "gpc", for a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.gpc = gpc_signal(request.headers.get("Sec-GPC"))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = _signed_in(request)
        if not request.gpc or user is None:
            return None
        session = getattr(request, "session", None)
        if session is not None and session.get(GPC_SESSION_KEY) == user.pk:
            return None
        services.consent_gpc_apply(user=user, ip=client_ip(request),
                                   user_agent=request.headers.get("User-Agent", ""))
        if session is not None:
            session[GPC_SESSION_KEY] = user.pk
        return None


class PolicyDeemedAcceptanceMiddleware:
    """P25: a signed-in request after a version's effective date, with no acceptance of it,
    records a `deemed` acceptance once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = _signed_in(request)
        if user is None:
            return None
        version = selectors.policy_version_current()
        if version is None:
            return None
        session = getattr(request, "session", None)
        marker = f"{user.pk}:{version.pk}"
        if session is not None and session.get(DEEMED_SESSION_KEY) == marker:
            return None
        services.policy_deemed_accept(user=user, ip=client_ip(request),
                                      user_agent=request.headers.get("User-Agent", ""))
        if session is not None:
            session[DEEMED_SESSION_KEY] = marker
        return None
