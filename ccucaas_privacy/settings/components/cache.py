"""The shared cache (issue 17).

One cache for every process, surviving restarts: DRF throttles, the help-desk and the
password-reset limits count there. CACHE_URL=redis://host:6379/<db>: Django's Redis cache on
its own Redis database (the broker's database is refused). Unset: Django's database cache in
the default database (table ccucaas_cache, created by a migration), shared by web, worker and
beat without another service, e.g. `make run`'s SQLite; a file cache would be per machine and
its counters are not updated atomically.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .celery import CELERY_BROKER_URL
from .environment import env

CACHE_URL = env("CACHE_URL", default="")


def _redis_database(url: str) -> tuple[str | None, int | None, str]:
    parts = urlsplit(url)
    return parts.hostname, parts.port or 6379, parts.path.strip("/") or "0"


if CACHE_URL.startswith(("redis://", "rediss://")):
    if (CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
            and _redis_database(CACHE_URL) == _redis_database(CELERY_BROKER_URL)):
        raise ImproperlyConfigured("CACHE_URL must name another Redis database than "
                                   "CELERY_BROKER_URL (e.g. /1 when the broker uses /0).")
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
        "KEY_PREFIX": "ccucaas",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }}
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL, or unset.")
else:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ccucaas_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},  # culling would forget counters under a flood
    }}
