"""Sign-in throttling with django-axes."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest

from ccucaas_privacy.rules import enforces


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses sign-in attempts while the username + IP pair is locked out.

    Every sign-in over HTTP (portal form, admin, API token) passes the request. Code that
    authenticates without a request (Django's test client `login()`, a shell) has no client
    to throttle, so it is left to the next backend instead of failing.
    """

    @enforces("P03")
    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@enforces("P03")
def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """Count `Alice` and `alice` as one username (sign-in ignores case, P03)."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "") if hasattr(request, "POST") else ""
    return str(username).strip().lower()[:150]
