"""The client's address, the same rule everywhere (help-desk limit, django-axes, visitor and
consent logs; DRF throttles follow it through NUM_PROXIES).

TRUSTED_PROXY_COUNT (settings, .env.example) is the number of reverse proxies in front of the
app. 0 (the default): REMOTE_ADDR, and X-Forwarded-For is ignored, since any client can send
it. N > 0: the Nth address from the right of X-Forwarded-For, the one the outermost trusted
proxy saw (each proxy appends the address it received the request from); addresses further
left were written by the client and are never trusted. This is DRF's NUM_PROXIES rule.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address under TRUSTED_PROXY_COUNT; None when it is not an IP address."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return _valid(request.META.get("REMOTE_ADDR"))
    addresses = forwarded.split(",")
    return _valid(addresses[-min(proxies, len(addresses))])
