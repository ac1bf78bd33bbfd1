from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsAppConfig(AppConfig):
    """Authorized agents over the Data Rights Protocol 1.0 (issue 23). Sits on top of
    requests_app and consent_app: it files and follows requests through their services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "agents_app"
    verbose_name = _("Authorized agents (DRP)")

    def ready(self) -> None:
        from agents_app.sources import sources_register

        sources_register()
