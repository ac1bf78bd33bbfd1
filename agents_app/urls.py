"""Portal page of agents_app (under the language prefix): DRP user verification (3.02.1)."""

from django.urls import path

from agents_app import views

app_name = "agents"
urlpatterns = [
    path("drp/verify/<uuid:pk>/", views.verify, name="verify"),
]
