from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ccucaas_privacy import views

api_v1 = [
    path("", include("accounts_app.api_urls")),
    path("", include("consent_app.api_urls")),
    path("", include("notifications_app.api_urls")),
    path("", include("requests_app.api_urls")),
    path("", include("incidents_app.api_urls")),  # issue 22: staff incident register
]

handler404 = "ccucaas_privacy.views.not_found"
# Issue 19: styled, localized pages (templates/403.html, 500.html) in every environment.
handler403 = "django.views.defaults.permission_denied"
handler500 = "django.views.defaults.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # Endpoints that must not carry a language prefix (one-click unsubscribe, webhooks, GPC).
    path("", include("notifications_app.public_urls")),
    path("", include("consent_app.public_urls")),
    path("", include("requests_app.public_urls")),
    path("drp/", include("agents_app.api_urls")),  # issue 23: DRP api_base
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("retention/", views.retention, name="retention"),  # issue 21: APPI Art. 22
    path("", include("accounts_app.urls")),
    path("", include("consent_app.urls")),
    path("", include("notifications_app.urls")),
    path("", include("requests_app.urls")),
    path("", include("agents_app.urls")),
    path("", include("incidents_app.urls")),  # issue 22: public notices (公表)
    path("", include("automation_app.urls")),  # issue 25: cancel a cooling-off deletion
    prefix_default_language=False,
)
