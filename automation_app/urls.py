"""Portal URLs of automation_app (under the language prefix)."""

from django.urls import path

from automation_app import views

app_name = "automation"
urlpatterns = [
    path("requests/<uuid:pk>/deletion/cancel/", views.deletion_cancel, name="deletion_cancel"),
]
