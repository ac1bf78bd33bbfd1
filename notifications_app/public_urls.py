"""URLs outside the language prefix (machine endpoints, links in emails)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
