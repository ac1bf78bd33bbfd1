"""Portal URLs of this app (mounted under the language prefix by ccucaas_privacy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "consent"
urlpatterns: list = []
