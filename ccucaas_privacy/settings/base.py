"""Base settings: the embedded default (SQLite, filesystem broker, file email backend).

Grouped as cookiecutter-django does: Django core, the installed apps (Django, third-party,
project), middleware, templates, authentication, i18n, static files and logging here; then one
module per integration (database, cache, Celery, email, API, security) and per project app
under `components/`, each setting its names once. Everything is configurable by environment
variables; `.env.example` lists them all.
"""

from django.utils.translation import gettext_lazy as _

from .components.accounts import *
from .components.api import *
from .components.automation import *
from .components.cache import *
from .components.celery import *
from .components.consent import *
from .components.database import *
from .components.drp import *
from .components.email import *
from .components.environment import BASE_DIR, DJANGO_ENV, VAR_DIR, env  # noqa: F401
from .components.fulfilment import *
from .components.incidents import *
from .components.notifications import *
from .components.requests import *
from .components.retention import *
from .components.security import *
from .components.storage import *

# --- Django core ---------------------------------------------------------------------------
# Development-only key: production.py refuses to start without SECRET_KEY in the environment.
DEVELOPMENT_SECRET_KEY = "dev-insecure-ccucaas-privacy-change-me"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Site identity used in emails and pages. Unset, it follows WEB_PORT, the port `make run`
# serves on, so links in emails reach the running site (issue 19 item 11).
WEB_PORT = env.int("WEB_PORT", default=8000)
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{WEB_PORT}")

ROOT_URLCONF = "ccucaas_privacy.urls"
WSGI_APPLICATION = "ccucaas_privacy.wsgi.application"
ASGI_APPLICATION = "ccucaas_privacy.asgi.application"

# --- Apps ----------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "knox",
    "drf_spectacular",
    "anymail",
    "axes",
    "csp",
    "drf_spectacular_sidecar",  # Swagger UI without a CDN
    # Staff sign in to the admin with a second factor: TOTP with recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    "ccucaas_privacy",
    "accounts_app",
    "consent_app",
    "notifications_app",
    "requests_app",
    "agents_app",  # issue 23: authorized agents (DRP 1.0); settings in components/drp.py
    "incidents_app",  # issue 22: the incident register (APPI Art. 26); components/incidents.py
    "automation_app",  # issue 25: automatic handling of verified requests; components/automation.py
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# --- Middleware (the order matters) --------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
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
    "django_otp.middleware.OTPMiddleware",
    "accounts_app.middleware_staff.StaffTwoFactorMiddleware",
]

# --- Templates -----------------------------------------------------------------------------
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

# --- Authentication and sessions -----------------------------------------------------------
AUTH_USER_MODEL = "accounts_app.User"
# Sign-in throttling (django-axes, components/security.py): the backend first refuses
# locked-out attempts.
AUTHENTICATION_BACKENDS = [
    "accounts_app.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
# Sessions are database rows linked to their user, so one login can be revoked (P11).
SESSION_ENGINE = "accounts_app.sessions"
# P11: every sign-in (portal, admin) is a browser-session cookie unless "keep me signed in".
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:settings"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation: Japanese first, English second; stored in UTC, shown in Asia/Tokyo.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files and storage --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# STORAGES (and the private "packages" and "account_files" storages): components/storage.py

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
