"""URLs outside the language prefix (machine endpoints, links in emails)."""

from anymail import urls as anymail_urls
from django.conf import settings
from django.urls import include, path

from notifications_app import views

# Only the delivery-tracking webhook of the ESP in use (EMAIL_TRACKING_ESP), e.g.
# /anymail/postmark/tracking/, protected by HTTP basic auth with ANYMAIL_WEBHOOK_SECRET. The
# other ESPs' webhooks are not mounted: unconfigured, they would only answer errors.
TRACKING_WEBHOOKS = [pattern for pattern in anymail_urls.urlpatterns
                     if pattern.name == f"{settings.EMAIL_TRACKING_ESP}_tracking_webhook"]

urlpatterns: list = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
    path("anymail/", include((TRACKING_WEBHOOKS, "anymail"))),
]
