from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CcucaasPrivacyConfig(AppConfig):
    name = "ccucaas_privacy"
    verbose_name = _("CCUCaaS Privacy platform")
