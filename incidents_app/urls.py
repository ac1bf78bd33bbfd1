"""Portal URLs of the incident register: the public notice (公表)."""

from django.urls import path

from incidents_app import views

app_name = "incidents"

urlpatterns = [
    path("incidents/<uuid:public_id>/", views.notice, name="notice"),
]
