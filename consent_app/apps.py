from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentAppConfig(AppConfig):
    name = "consent_app"
    verbose_name = _("Consent and policy versions")

    def ready(self) -> None:
        from consent_app.sources import sources_register  # fulfilment sources

        sources_register()
