"""Base settings: the embedded default (SQLite, filesystem broker, file email backend).

Everything is configurable by environment variables; `.env.example` lists them all.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Runtime state of the embedded default: SQLite file, broker folders, mail files, private files.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DJANGO_ENV = env("DJANGO_ENV", default="development").lower()

# Development-only key: production.py refuses to start without SECRET_KEY in the environment.
DEVELOPMENT_SECRET_KEY = "dev-insecure-ccucaas-privacy-change-me"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "anymail",
    "axes",
    "ccucaas_privacy",
    "accounts_app",
    "consent_app",
    "notifications_app",
    "requests_app",
    "agents_app",  # issue 23: authorized agents (DRP 1.0); settings in the DRP block below
    "incidents_app",  # issue 22: the incident register (APPI Art. 26); settings block below
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts_app.middleware.VisitorLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ccucaas_privacy.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consent_app.middleware.GlobalPrivacyControlMiddleware",
    "consent_app.middleware.PolicyDeemedAcceptanceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts_app.middleware.PersistentLoginMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ccucaas_privacy.urls"
WSGI_APPLICATION = "ccucaas_privacy.wsgi.application"
ASGI_APPLICATION = "ccucaas_privacy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process sees what the tests wrote.
    # One file per test process, so parallel test runs never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts_app.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Japanese first, English second; stored in UTC, shown in Asia/Tokyo.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: files under var/mail in development; any anymail ESP via EMAIL_BACKEND + ANYMAIL_*.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CCUCaaS Privacy <privacy@ccucaas.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The ESP whose delivery-tracking webhook is mounted at /anymail/<esp>/tracking/.
EMAIL_TRACKING_ESP = env("EMAIL_TRACKING_ESP", default="postmark")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}

# Celery: filesystem broker under var/ by default, Redis when CELERY_BROKER_URL is set.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DATA_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DATA_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DATA_DIR / "control"),
        "store_processed": False,
    }
else:
    # Long enough for the slowest task; deadlines never use ETAs, so nothing waits longer.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ccucaas_privacy.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCUCaaS Privacy API",
    "DESCRIPTION": "Data-subject requests, consents and policy versions of CCUCaaS.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Deadlines (RULES.md P21, P26): every offset of the deadline engine, in one place.
DEADLINES = {
    "REPLY_REMINDER_DAYS_BEFORE": env.list("DEADLINE_REPLY_REMINDER_DAYS", cast=int, default=[7, 3, 1]),
    "OVERDUE_REPEAT_HOURS": env.int("DEADLINE_OVERDUE_REPEAT_HOURS", default=24),
    "PROPAGATION_WARNING_HOURS_BEFORE": env.int("DEADLINE_PROPAGATION_WARNING_HOURS", default=12),
    "VERIFICATION_EXPIRY_DAYS": env.int("DEADLINE_VERIFICATION_EXPIRY_DAYS", default=14),
    "VERIFICATION_CODE_TTL_HOURS": env.int("DEADLINE_VERIFICATION_CODE_TTL_HOURS", default=24),
}

# Site identity used in emails and pages.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- requests_app ---
# Identity verification of help-desk and web-form requests, and limits on free text.
REQUESTS = {
    "VERIFICATION_MAX_WRONG_CODES": env.int("REQUESTS_VERIFICATION_MAX_WRONG_CODES", default=5),
    "VERIFICATION_MAX_SENDS": env.int("REQUESTS_VERIFICATION_MAX_SENDS", default=4),
    "VERIFICATION_RESEND_INTERVAL_SECONDS": env.int("REQUESTS_VERIFICATION_RESEND_INTERVAL", default=60),
    "TEXT_MAX_CHARS": env.int("REQUESTS_TEXT_MAX_CHARS", default=5000),
    "CORRECTION_MAX_ITEMS": env.int("REQUESTS_CORRECTION_MAX_ITEMS", default=20),
    # Disclosure and deletion through the API: the password must have been proven this
    # recently (POST /api/v1/auth/token/), or be sent with the request (the portal asks anew).
    "API_REAUTH_SECONDS": env.int("REQUESTS_API_REAUTH_SECONDS", default=900),
}
# Distinct OpenAPI enum names, so other apps' `channel`/`status`/`type` choices never collide.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "RequestChannelEnum": "requests_app.models.Channel",
    "RequestStatusEnum": "requests_app.models.Status",
    "RequestTypeEnum": "requests_app.models.RequestType",
})

# --- accounts_app ---
# Sign-in throttling (django-axes): the backend first refuses locked-out attempts.
AUTHENTICATION_BACKENDS = [
    "accounts_app.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts_app.backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts_app.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Sessions are database rows linked to their user, so one login can be revoked (P11).
SESSION_ENGINE = "accounts_app.sessions"
# P11: every sign-in (portal, admin) is a browser-session cookie unless "keep me signed in".
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:settings"
LOGOUT_REDIRECT_URL = "home"
# P11: 「サインイン状態の維持」 keeps the user signed in for this many days.
PERSISTENT_LOGIN_DAYS = env.int("PERSISTENT_LOGIN_DAYS", default=30)
# P10: visitor log entries are purged after this many days.
VISITOR_LOG_RETENTION_DAYS = env.int("VISITOR_LOG_RETENTION_DAYS", default=90)
# P07: account content files (private, never served directly) and the upload limit.
ACCOUNT_CONTENT_DIR = Path(env("ACCOUNT_CONTENT_DIR", default=str(VAR_DIR / "private" / "content")))
ACCOUNT_CONTENT_MAX_BYTES = env.int("ACCOUNT_CONTENT_MAX_BYTES", default=5 * 1024 * 1024)
ACCOUNT_CONTENT_DEFAULT_REGION = env("ACCOUNT_CONTENT_DEFAULT_REGION", default="us-west-2")
# Dotted path of a callable(user=, closure=) run when an account is closed (the requests app
# plugs the deletion request in here); empty: the account is only deactivated.
ACCOUNT_CLOSE_HOOK = env("ACCOUNT_CLOSE_HOOK", default="")
# API throttling of the token endpoint and of sign-up.
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {}).update(
    {"auth_token": env("THROTTLE_AUTH_TOKEN", default="10/min"),
     "sign_up": env("THROTTLE_SIGN_UP", default="10/hour")}
)

# --- consent_app ---
# The PII controller named in consent receipts (Kantara Consent Receipt v1.1 piiControllers).
CONSENT_CONTROLLER = {
    "name": env("CONSENT_CONTROLLER_NAME", default="CCArchitect Co., Ltd. (CCアーキテクト株式会社)"),
    "contact": env("CONSENT_CONTROLLER_CONTACT", default="CCUCaaS privacy help desk (相談窓口)"),
    "address": env("CONSENT_CONTROLLER_ADDRESS", default="Tokyo, Japan"),
    "email": env("CONSENT_CONTROLLER_EMAIL", default="privacy@ccucaas.example"),
    "phone": env("CONSENT_CONTROLLER_PHONE", default=""),
}
# /.well-known/gpc.json "lastUpdate": the date this site's GPC support last changed.
GPC_LAST_UPDATE = env("GPC_LAST_UPDATE", default="2026-11-29")
# P12: URL of the analytics script; rendered only with consent and without a GPC signal.
ANALYTICS_SCRIPT_URL = env("ANALYTICS_SCRIPT_URL", default="")
# Distinct OpenAPI enum names for the consent channel/action choices.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "ConsentChannelEnum": "consent_app.models.Channel",
    "ConsentActionEnum": "consent_app.models.ConsentAction",
})

# --- notifications_app ---
# The email outbox: retries with exponential backoff (seconds to minutes, never days), the
# minute-ly sweep's staleness thresholds (sending > the task's hard time limit), context limit.
NOTIFICATIONS = {
    "MAX_ATTEMPTS": env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6),
    "RETRY_BASE_SECONDS": env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=10),
    "RETRY_MAX_SECONDS": env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=300),
    "STALE_QUEUED_SECONDS": env.int("NOTIFICATIONS_STALE_QUEUED_SECONDS", default=300),
    "STALE_SENDING_SECONDS": env.int("NOTIFICATIONS_STALE_SENDING_SECONDS", default=600),
    "SWEEP_BATCH": env.int("NOTIFICATIONS_SWEEP_BATCH", default=1000),
    # rows committed together are sent by one task per this many rows (one claim, one load)
    "SEND_BATCH": env.int("NOTIFICATIONS_SEND_BATCH", default=100),
    "MAX_CONTEXT_BYTES": env.int("NOTIFICATIONS_MAX_CONTEXT_BYTES", default=32768),
    # With a Redis broker, commits publish one `drain_outbox` task while none is pending
    # instead of one task per commit (notifications_app/dispatch.py).
    "COALESCE_DISPATCH": env.bool("NOTIFICATIONS_COALESCE_DISPATCH", default=True),
    # A pending drain that has not started within this long is presumed lost: the next commit
    # publishes another (rows committed in between are also covered by the outbox sweep).
    "DRAIN_PENDING_SECONDS": env.int("NOTIFICATIONS_DRAIN_PENDING_SECONDS", default=10),
}
# Celery's Django fixup closes the worker's database connection before and after every task
# unless this is set; then a worker keeps its connection for 2 x N tasks. Off by default;
# `bench/outbox.py` measures the difference (one new PostgreSQL connection per email).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=0) or None

# --- admin ---
# Staff sign in to the admin with a second factor: TOTP (django-otp) with recovery codes.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE += ["django_otp.middleware.OTPMiddleware",
               "accounts_app.middleware_staff.StaffTwoFactorMiddleware"]
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="CCUCaaS Privacy")
# P23: the day of the month (JST) the compliance report is emailed to privacy officers.
COMPLIANCE_REPORT_DAY = env.int("COMPLIANCE_REPORT_DAY", default=1)

# --- requests_app fulfilment ---
# Disclosure packages: private storage through Django's storage API (never web-served; any
# django-storages backend in production), signed download links valid this many days.
PRIVATE_STORAGE = {
    "BACKEND": env("PRIVATE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": {"location": env("PRIVATE_STORAGE_DIR", default=str(VAR_DIR / "private"))},
}
PACKAGE_TTL_DAYS = env.int("PACKAGE_TTL_DAYS", default=7)
# P08: backups holding erased data are gone after this many days (stated in deletion replies).
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=30)
# Propagation retries to sources and service providers: exponential backoff, never long ETAs.
FULFILMENT = {
    "RETRY_BASE_SECONDS": env.int("FULFILMENT_RETRY_BASE_SECONDS", default=30),
    "RETRY_MAX_SECONDS": env.int("FULFILMENT_RETRY_MAX_SECONDS", default=1800),
    "MAX_ATTEMPTS": env.int("FULFILMENT_MAX_ATTEMPTS", default=20),
}
# --- service providers: outbound safety and OpenDSR 2.0 (issues 17 and 24) ---
# Providers' endpoints must be https and must not reach inside (ccucaas_privacy/outbound.py).
# Only tests turn this on, to reach a fake provider on 127.0.0.1; production refuses it.
FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = env.bool("FULFILMENT_ALLOW_PRIVATE_ENDPOINTS", default=False)
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = FULFILMENT_ALLOW_PRIVATE_ENDPOINTS
# Provider secrets are read only from environment variables named with this prefix.
PROCESSOR_SECRET_PREFIX = "PROCESSOR_SECRET_"
PROCESSOR_WEBHOOK_SECRET_MIN_BYTES = 32
OPENDSR = {
    # §7.1.1 `regulation` when a processor names none (gdpr, ccpa or one its discovery lists).
    "DEFAULT_REGULATION": env("OPENDSR_DEFAULT_REGULATION", default="gdpr"),
    # How long a processor's discovery (and certificate) is trusted without Cache-Control.
    "DISCOVERY_TTL_SECONDS": env.int("OPENDSR_DISCOVERY_TTL_SECONDS", default=86400),
    # Staff are alerted once when a processor's signing certificate expires within this.
    "CERTIFICATE_WARNING_DAYS": env.int("OPENDSR_CERTIFICATE_WARNING_DAYS", default=30),
}
# --- end of service providers ---
# P21: closing the account files a deletion request.
ACCOUNT_CLOSE_HOOK = env("ACCOUNT_CLOSE_HOOK",
                         default="requests_app.services_fulfilment.account_close_deletion_request")

# --- harden ---
# Content-Security-Policy (django-csp), active in every environment: scripts only from this
# site (no inline scripts or handlers) plus the analytics script when one is configured; inline
# styles are still allowed (`<style>` blocks in base.html and the admin).
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

INSTALLED_APPS += ["csp", "drf_spectacular_sidecar"]
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *([ANALYTICS_SCRIPT_URL] if ANALYTICS_SCRIPT_URL else [])],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
# Swagger UI from the installed sidecar package (no CDN, no inline script).
SPECTACULAR_SETTINGS.update({
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
})
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Every operation documents the shared problem-details error body (ccucaas_privacy/openapi.py).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "ccucaas_privacy.openapi.document_problem_responses",
]
# The public help-desk form: at most this many submissions per client address per window.
HELPDESK_RATE_LIMIT = env.int("HELPDESK_RATE_LIMIT", default=10)
HELPDESK_RATE_WINDOW_SECONDS = env.int("HELPDESK_RATE_WINDOW_SECONDS", default=3600)

# --- shared cache and client address (issue 17) ---
# One cache for every process, surviving restarts: DRF throttles, the help-desk and the
# password-reset limits count there. CACHE_URL=redis://host:6379/<db>: Django's Redis cache on
# its own Redis database (the broker's database is refused). Unset: Django's database cache in
# the default database (table ccucaas_cache, created by a migration), shared by web, worker and
# beat without another service, e.g. `make run`'s SQLite; a file cache would be per machine and
# its counters are not updated atomically.
from urllib.parse import urlsplit  # noqa: E402

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

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
# Reverse proxies in front of the app: 0 = the client is REMOTE_ADDR (X-Forwarded-For is
# ignored); N = the Nth address from the right of X-Forwarded-For. One rule for the help-desk
# limit, logs (ccucaas_privacy/client_address.py), django-axes and DRF throttles.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of proxies in front: 0 or more.")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "ccucaas_privacy.client_address.client_address"

# --- notifications_app campaigns ---
# Policy-change, merger and marketing campaigns (issue 10): recipients per batch task; the
# early alert comes this many hours before the 30-day line (P25: "31 days before"); a running
# campaign with recipients still unplanned is fanned out again after this many seconds.
CAMPAIGNS = {
    "BATCH_SIZE": env.int("CAMPAIGNS_BATCH_SIZE", default=1000),
    "EARLY_ALERT_HOURS": env.int("CAMPAIGNS_EARLY_ALERT_HOURS", default=24),
    "REPLAN_AFTER_SECONDS": env.int("CAMPAIGNS_REPLAN_AFTER_SECONDS", default=600),
}

# --- accounts_app authentication hardening (issue 17) ---
# API tokens are django-rest-knox tokens (a digest stored, never the key; `Authorization:
# Token <key>`), in accounts_app.ApiToken, which also records whether the second factor was
# passed. Staff tokens need a TOTP or recovery code and expire sooner than users' tokens.
KNOX_TOKEN_MODEL = "accounts_app.ApiToken"
# knox's own migrations create its (here swapped-out) AuthToken table regardless; without them
# Django creates no table for a swapped model.
MIGRATION_MODULES = {**globals().get("MIGRATION_MODULES", {}), "knox": None}
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}
STAFF_TOKEN_TTL_HOURS = env.int("STAFF_TOKEN_TTL_HOURS", default=8)
USER_TOKEN_TTL_DAYS = env.int("USER_TOKEN_TTL_DAYS", default=30)
# An email change takes effect when the new address confirms within this many hours; the old
# address's undo link works for EMAIL_CHANGE_UNDO_DAYS.
EMAIL_CHANGE_CONFIRM_HOURS = env.int("EMAIL_CHANGE_CONFIRM_HOURS", default=24)
EMAIL_CHANGE_UNDO_DAYS = env.int("EMAIL_CHANGE_UNDO_DAYS", default=14)
# Password reset requests (Django's cache, shared when CACHES is Redis): per address and per
# client address, at most this many in the window.
PASSWORD_RESET_RATE_PER_EMAIL = env.int("PASSWORD_RESET_RATE_PER_EMAIL", default=3)
PASSWORD_RESET_RATE_PER_CLIENT = env.int("PASSWORD_RESET_RATE_PER_CLIENT", default=10)
PASSWORD_RESET_RATE_WINDOW_SECONDS = env.int("PASSWORD_RESET_RATE_WINDOW_SECONDS", default=3600)

# --- agents_app: authorized agents over the Data Rights Protocol 1.0 (issue 23) ---
# Our covered-business id in the DRP directory, the longest signed-message window we accept
# (expires-at - issued-at, spec 2.01), the callback retry policy, and the directory entry.
DRP = {
    "BUSINESS_ID": env("DRP_BUSINESS_ID", default="CCUCAAS"),
    "BUSINESS_NAME": env("DRP_BUSINESS_NAME", default="CCUCaaS"),
    "MAX_WINDOW_SECONDS": env.int("DRP_MAX_WINDOW_SECONDS", default=900),
    "CALLBACK_TIMEOUT_SECONDS": env.int("DRP_CALLBACK_TIMEOUT_SECONDS", default=10),
    "CALLBACK_MAX_ATTEMPTS": env.int("DRP_CALLBACK_MAX_ATTEMPTS", default=30),
    "CALLBACK_BACKOFF_SECONDS": env.int("DRP_CALLBACK_BACKOFF_SECONDS", default=60),
    "CALLBACK_BACKOFF_MAX_SECONDS": env.int("DRP_CALLBACK_BACKOFF_MAX_SECONDS", default=6 * 3600),
    "TECHNICAL_CONTACT": env("DRP_TECHNICAL_CONTACT", default="privacy-tech@ccucaas.example"),
    "BUSINESS_CONTACT": env("DRP_BUSINESS_CONTACT", default="privacy@ccucaas.example"),
    "LOGO_URL": env("DRP_LOGO_URL", default=""),
}

# --- incidents_app: the incident register (issue 22; APPI Art. 26, PPC rules Art. 8) ---
# The preliminary report (速報) is due "promptly": by the end of this many JST days after the
# day the leak was learned of (ccucaas_privacy/clock.py; the final report is 30 or 60 days).
LEAK_PRELIMINARY_REPORT_DAYS = env.int("LEAK_PRELIMINARY_REPORT_DAYS", default=3)
# --- end of incidents_app ---
