from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsAppConfig(AppConfig):
    name = "accounts_app"
    verbose_name = _("Accounts and personal data")

    def ready(self) -> None:
        from notifications_app.kinds import register_kind

        register_kind("account_email_confirmation", category="mandatory",
                      description="Confirm the email address of a new account (P01).")
        register_kind("account_password_reset", category="mandatory",
                      description="Password reset link.")

        from accounts_app.receivers import connect

        connect()
