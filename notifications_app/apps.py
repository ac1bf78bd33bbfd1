from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsAppConfig(AppConfig):
    name = "notifications_app"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications_app.sources import sources_register  # fulfilment sources

        sources_register()
        from anymail.signals import tracking

        from notifications_app import esp  # noqa: F401 - registers the ESP configuration check
        from notifications_app.kinds import Category, register_kind
        from notifications_app.receivers import on_anymail_tracking

        for kind, category, description in [
            ("administrative_notice", Category.MANDATORY,
             "Administrative notice to a user (P19: cannot be unsubscribed)."),
            ("marketing_announcement", Category.MARKETING,
             "New services, releases and events (P02: consent required)."),
            ("policy_change_notice", Category.MANDATORY,
             "A major policy change, 30 days ahead (P25, P19)."),
            ("merger_notice", Category.MANDATORY,
             "Prior notice of a merger or acquisition (P17)."),
            ("incident_notice", Category.MANDATORY,
             "To the people an incident affected (APPI Art. 26(2))."),
            ("campaign_coverage_alert", Category.MANDATORY,
             "To privacy officers: policy notices still unsent (P25)."),
        ]:
            register_kind(kind, category=category, description=description)
        tracking.connect(on_anymail_tracking, dispatch_uid="notifications_app.tracking")

        from consent_app.hooks import policy_version_published
        from notifications_app.services.campaigns import campaign_start_for_policy

        # P25: publishing a major version starts its notice campaign (consent_app's hook).
        policy_version_published.register(campaign_start_for_policy)
