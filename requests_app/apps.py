from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Data-subject requests")

    def ready(self) -> None:
        from requests_app.services.notify import kinds_register
        from requests_app.services.sweep import kinds_register as deadline_kinds_register

        kinds_register()
        deadline_kinds_register()
        from requests_app.sources.history import sources_register

        sources_register()

        from requests_app.services.report import kinds_register as report_kinds_register

        report_kinds_register()

        from requests_app.services.processors import kinds_register as processor_kinds_register

        processor_kinds_register()

        from requests_app.services.representatives import (
            kinds_register as representative_kinds_register,
        )

        representative_kinds_register()  # issue 21: APPI Art. 37(3) representatives

        from accounts_app.hooks import account_closed
        from requests_app.services.fulfilment import account_close_deletion_request

        # P21: closing an account files its deletion request (accounts_app's hook).
        account_closed.register(account_close_deletion_request)
