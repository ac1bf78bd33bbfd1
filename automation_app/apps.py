from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationAppConfig(AppConfig):
    name = "automation_app"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from automation_app.registrations import register_all

        register_all()
