"""Endpoints without a language prefix: service providers' signed status callbacks."""

from django.urls import path

from requests_app import public_views

urlpatterns = [
    path("fulfilment/callbacks/<int:processor_id>/", public_views.fulfilment_callback,
         name="fulfilment-callback"),
]
