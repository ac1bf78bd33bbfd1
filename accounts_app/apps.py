from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsAppConfig(AppConfig):
    name = "accounts_app"
    verbose_name = _("Accounts and personal data")

    def ready(self) -> None:
        from accounts_app.sources import sources_register  # fulfilment sources

        sources_register()
        from notifications_app.kinds import register_kind

        register_kind("account_email_confirmation", category="mandatory",
                      description="Confirm the email address of a new account (P01).")
        register_kind("account_password_reset", category="mandatory",
                      description="Password reset link.")
        # Issue 17: email changes (new address confirms, old one may undo) and sign-up with
        # an address that already has an account (its owner is told, nobody else).
        register_kind("account_email_change_confirm", category="mandatory",
                      description="Confirm the new email address of an account.")
        register_kind("account_email_change_notice", category="mandatory",
                      description="Tell the old address of an email change, with an undo link.")
        register_kind("account_sign_up_existing", category="mandatory",
                      description="Someone tried to sign up with an address that has an account.")

        from accounts_app.receivers import connect

        connect()

        from django.db.models.signals import post_migrate

        from accounts_app.roles import roles_apply

        # After every app's migrations (and test flushes): groups hold exactly their roles.
        post_migrate.connect(roles_apply, dispatch_uid="accounts_roles_apply")
