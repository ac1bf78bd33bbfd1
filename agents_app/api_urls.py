"""DRP endpoints, without a language prefix, under `api_base` = <SITE_URL>/drp (spec 2)."""

from django.urls import path

from agents_app import api

urlpatterns = [
    path("", api.api_base, name="drp-api-base"),
    path("v1/agent/<str:agent_id>", api.agent_endpoint, name="drp-agent"),
    path("v1/data-rights-request", api.exercise_endpoint, name="drp-exercise"),
    # Before 0.9.3 the exercise URL ended with a slash; 2.01 lets us keep accepting it.
    path("v1/data-rights-request/", api.exercise_endpoint, name="drp-exercise-slash"),
    path("v1/data-rights-request/<uuid:request_id>", api.request_endpoint, name="drp-request"),
    path("directory-entry.json", api.directory_entry, name="drp-directory-entry"),
]
