"""URLs outside the language prefix (machine endpoints, links in emails)."""

from django.urls import path

from consent_app import public_views

urlpatterns = [
    path(".well-known/gpc.json", public_views.gpc_json, name="gpc-json"),
]
