"""Production: refuses to start without its secrets, secure transport and cookies.

Only what production tightens is set here; everything else (the CSP, referrer policy, frame and
cookie flags every environment shares) is in `base.py` and its `components/`.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import (
    ANYMAIL,
    DEVELOPMENT_SECRET_KEY,
    EMAIL_TRACKING_ESP,
    FULFILMENT_ALLOW_PRIVATE_ENDPOINTS,
    OUTBOUND_ALLOW_PRIVATE_ADDRESSES,
    REST_FRAMEWORK,
    SITE_URL,
    STORAGES,
    env,
)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs the {name} environment variable; it is not set."
        )
    return value


SECRET_KEY = _required("SECRET_KEY")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_ENV=production refuses the development SECRET_KEY.")
ALLOWED_HOSTS = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
DEBUG = False

# --- no weak secrets, no plain links (issue 17) ---
# Anyone who knows SECRET_KEY forges signed links (unsubscribe, packages) offline: refuse
# anything shorter than Django's own minimum (50 characters, fewer than 5 distinct ones: check
# --deploy W009) and every placeholder that has shipped in a file (docker compose, Dockerfile).
KNOWN_PLACEHOLDER_SECRET_KEYS = {DEVELOPMENT_SECRET_KEY, "compose-only-secret-change-me",
                                 "build-only"}
_PLACEHOLDER_WORDS = re.compile(r"change.?me|replace.?me|insecure|placeholder|example|dummy",
                                re.IGNORECASE)
if (SECRET_KEY in KNOWN_PLACEHOLDER_SECRET_KEYS or _PLACEHOLDER_WORDS.search(SECRET_KEY)
        or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("DJANGO_ENV=production refuses a placeholder SECRET_KEY; "
                               "generate one (python -c 'import secrets; "
                               "print(secrets.token_urlsafe(50))').")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_ENV=production needs a random SECRET_KEY of at least 50 "
                               "characters (and at least 5 distinct ones).")
if urlsplit(SITE_URL).scheme != "https" or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured("DJANGO_ENV=production needs an https:// SITE_URL: links in "
                               f"emails must not travel in plain text (got {SITE_URL!r}).")
# The tracking webhook (/anymail/<EMAIL_TRACKING_ESP>/tracking/) marks outbox rows delivered or
# bounced (P25 evidence): anymail's basic-auth WEBHOOK_SECRET ("user:password") is required.
if EMAIL_TRACKING_ESP:
    _webhook_user, _, _webhook_password = str(ANYMAIL.get("WEBHOOK_SECRET", "")).partition(":")
    if not (_webhook_user and _webhook_password):
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production mounts the {EMAIL_TRACKING_ESP} tracking webhook "
            "(EMAIL_TRACKING_ESP) and needs ANYMAIL_WEBHOOK_SECRET=\"user:password\" (random) to "
            "authenticate it; or set EMAIL_TRACKING_ESP= (empty) to mount no webhook.")
# The browsable API is a development aid: production answers JSON only.
REST_FRAMEWORK = {**REST_FRAMEWORK,
                  "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}
# Service providers must never reach inside (issue 17): the tests-only switch is refused.
if FULFILMENT_ALLOW_PRIVATE_ENDPOINTS or OUTBOUND_ALLOW_PRIVATE_ADDRESSES:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production refuses FULFILMENT_ALLOW_PRIVATE_ENDPOINTS: service providers "
        "must not be reached on private or loopback addresses.")

STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
