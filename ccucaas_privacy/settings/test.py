"""Test settings: base settings with anymail's test backend, tasks run inline.

Tests marked `services` switch the Celery app to a real broker and a real worker.
"""

from .base import *

EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Issue 25: requests filed in tests wait for staff unless a test turns automation on
# (tests/automation_app/conftest.py does).
AUTOMATION_ENABLED = False
DEBUG = False
LOGGING["root"]["level"] = "WARNING"
# notifications_app: anymail tracking webhooks take HTTP basic auth with this "user:password".
ANYMAIL.setdefault("WEBHOOK_SECRET", "anymail-test:webhook-secret")
# One cache per test process (parallel runs never share counters): the cross-process tests
# start their servers with CACHE_URL (Redis) or the database cache of their test database.
if not CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
