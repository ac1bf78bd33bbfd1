"""The REST API: Django REST framework, its schema (drf-spectacular) and tokens (knox)."""

from .environment import env
from .security import TRUSTED_PROXY_COUNT

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
    # API throttling of the token endpoint and of sign-up.
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env("THROTTLE_AUTH_TOKEN", default="10/min"),
        "sign_up": env("THROTTLE_SIGN_UP", default="10/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCUCaaS Privacy API",
    "DESCRIPTION": "Data-subject requests, consents and policy versions of CCUCaaS.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Distinct OpenAPI enum names, so the apps' `channel`/`status`/`type` choices never collide.
    "ENUM_NAME_OVERRIDES": {
        "RequestChannelEnum": "requests_app.models.Channel",
        "RequestStatusEnum": "requests_app.models.Status",
        "RequestTypeEnum": "requests_app.models.RequestType",
        "ConsentChannelEnum": "consent_app.models.Channel",
        "ConsentActionEnum": "consent_app.models.ConsentAction",
    },
    # Swagger UI from the installed sidecar package (no CDN, no inline script).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the shared problem-details error body (ccucaas_privacy/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ccucaas_privacy.openapi.document_problem_responses",
    ],
}

# API tokens are django-rest-knox tokens (a digest stored, never the key; `Authorization:
# Token <key>`), in accounts_app.ApiToken, which also records whether the second factor was
# passed. Staff tokens need a TOTP or recovery code and expire sooner than users' tokens
# (accounts.py: STAFF_TOKEN_TTL_HOURS, USER_TOKEN_TTL_DAYS).
KNOX_TOKEN_MODEL = "accounts_app.ApiToken"
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}
# knox's own migrations create its (here swapped-out) AuthToken table regardless; without them
# Django creates no table for a swapped model.
MIGRATION_MODULES = {"knox": None}
