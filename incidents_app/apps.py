from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsAppConfig(AppConfig):
    name = "incidents_app"
    verbose_name = _("Incident register")

    def ready(self) -> None:
        from incidents_app.registrations import register_all

        register_all()
