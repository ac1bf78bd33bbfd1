"""API URLs of this app (mounted under /api/v1/ by ccucaas_privacy/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
