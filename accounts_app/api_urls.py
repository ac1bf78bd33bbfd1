"""API URLs of this app (mounted under /api/v1/ by ccucaas_privacy/urls.py)."""

from django.urls import path

from accounts_app import api

urlpatterns = [
    path("auth/token/", api.AuthTokenApi.as_view(), name="api-auth-token"),
    path("auth/token/revoke/", api.AuthTokenRevokeApi.as_view(), name="api-auth-token-revoke"),
    path("auth/token/revoke-all/", api.AuthTokenRevokeAllApi.as_view(),
         name="api-auth-token-revoke-all"),
    path("accounts/sign-up/", api.SignUpApi.as_view(), name="api-accounts-sign-up"),
    path("accounts/me/", api.MeApi.as_view(), name="api-accounts-me"),
]
