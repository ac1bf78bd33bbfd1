"""A fixed-window counter per client address in Django's cache, for public forms that have no
account to lock (the help-desk form). DRF throttles cover the API; django-axes covers sign-in.

The cache is shared by every process and survives restarts (CACHES in
settings/components/cache.py: Redis with CACHE_URL, else the database cache); `client` is
`client_address(request)`, which follows TRUSTED_PROXY_COUNT. On Redis `incr` is atomic, so
concurrent tries are counted exactly."""

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

RATE_LIMITED_MESSAGE = _("Too many submissions from your network. Please wait a while and "
                         "try again.")


def rate_limit_hit(*, scope: str, client: str | None, limit: int, window_seconds: int) -> bool:
    """Count one attempt of `client` in `scope`; True when it is over `limit` in the window."""
    key = f"ratelimit:{scope}:{client or 'unknown'}"
    cache.add(key, 0, timeout=window_seconds)  # starts the window; no-op while it runs
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
