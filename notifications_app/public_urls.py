"""URLs outside the language prefix (machine endpoints, links in emails)."""

from django.urls import include, path

from notifications_app import views

urlpatterns: list = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
    # Delivery tracking webhooks, e.g. /anymail/postmark/tracking/ (HTTP basic auth with
    # ANYMAIL_WEBHOOK_SECRET).
    path("anymail/", include("anymail.urls")),
]
