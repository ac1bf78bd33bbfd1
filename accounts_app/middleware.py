"""Request middleware of the accounts app: the visitor log (P10) and persistent logins (P11)."""

import logging
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts_app.useragent import agent_parse
from ccucaas_privacy import clock
from ccucaas_privacy.client_address import client_address
from ccucaas_privacy.rules import enforces

logger = logging.getLogger(__name__)

TIME_ZONE_COOKIE = "ccucaas_tz"
_TIME_ZONE_RE = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")
_SKIPPED_PREFIXES = ("/healthz", "/favicon.ico")


def _header(request: HttpRequest, name: str, limit: int) -> str:
    value = request.META.get(name, "")
    if not isinstance(value, str):
        return ""
    # Header bytes arrive as latin-1; drop control characters, keep it short.
    return "".join(ch for ch in value[: limit * 2] if ch.isprintable())[:limit]


def _ip(request: HttpRequest) -> str | None:
    return client_address(request)  # REMOTE_ADDR, or X-Forwarded-For behind trusted proxies


def _time_zone(request: HttpRequest) -> str:
    value = request.COOKIES.get(TIME_ZONE_COOKIE, "")
    return value if _TIME_ZONE_RE.fullmatch(value) else ""


@enforces("P10")
def visitor_log_entry(request: HttpRequest, response: HttpResponse, occurred_at) -> dict:
    """The P10 fields of one request, truncated to their columns."""
    user = getattr(request, "user", None)
    user_agent = _header(request, "HTTP_USER_AGENT", 512)
    agent = agent_parse(user_agent)
    return {
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "occurred_at": occurred_at,
        "ip": _ip(request),
        "browser": agent.browser,
        "os": agent.os,
        "language": _header(request, "HTTP_ACCEPT_LANGUAGE", 64),
        "referrer": _header(request, "HTTP_REFERER", 500),
        "method": request.method[:8] if isinstance(request.method, str) else "",
        "path": request.path[:500],
        "status_code": response.status_code,
        "time_zone": _time_zone(request),
        "user_agent": user_agent,
    }


class VisitorLogMiddleware:
    """P10: one visitor-log row per request, one INSERT in autocommit before the response
    leaves (bench/visitor_log.py measures what it adds). It used to run in the response's
    closers, a private Django list, after the body was sent: that raced with whatever followed
    the request (a test's teardown deadlocked on it). Any failure is logged, never turned into
    an error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.skipped = (*_SKIPPED_PREFIXES, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        occurred_at = clock.now()
        response = self.get_response(request)
        if request.path.startswith(self.skipped):
            return response
        try:
            entry = visitor_log_entry(request, response, occurred_at)
        except Exception:
            logger.exception("visitor log: could not read the request")
            return response
        _write([entry])
        return response


def _write(entries: list[dict]) -> None:
    from accounts_app.services.data import visitor_logs_write

    try:
        visitor_logs_write(entries=entries)
    except Exception:
        logger.exception("visitor log: could not write %d entries", len(entries))


PERSISTENT_LOGIN_SESSION_KEY = "persistent_login_id"
PERSISTENT_LOGIN_TOUCHED_KEY = "persistent_login_touched"
TOUCH_INTERVAL = timedelta(minutes=5)


class PersistentLoginMiddleware:
    """P11: keeps "last used" of a persistent login current (at most every five minutes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        public_id = session.get(PERSISTENT_LOGIN_SESSION_KEY) if session is not None else None
        if public_id:
            self._touch(request, session, public_id)
        return self.get_response(request)

    def _touch(self, request: HttpRequest, session, public_id: str) -> None:
        from accounts_app.services.accounts import persistent_login_touch

        now = clock.now()
        touched = session.get(PERSISTENT_LOGIN_TOUCHED_KEY, 0)
        if now.timestamp() - float(touched) < TOUCH_INTERVAL.total_seconds():
            return
        persistent_login_touch(public_id=public_id, ip=_ip(request))
        session[PERSISTENT_LOGIN_TOUCHED_KEY] = now.timestamp()
