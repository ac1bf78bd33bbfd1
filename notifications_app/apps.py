from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsAppConfig(AppConfig):
    name = "notifications_app"
    verbose_name = _("Notifications")
