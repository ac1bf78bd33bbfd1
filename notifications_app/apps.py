from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsAppConfig(AppConfig):
    name = "notifications_app"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications_app.sources import sources_register  # fulfilment sources

        sources_register()
        from anymail.signals import tracking

        from notifications_app.kinds import Category, register_kind
        from notifications_app.receivers import on_anymail_tracking

        register_kind("administrative_notice", category=Category.MANDATORY,
                      description="Administrative notice to a user (P19: cannot be unsubscribed).")
        register_kind("marketing_announcement", category=Category.MARKETING,
                      description="New services, releases and events (P02: consent required).")
        register_kind("policy_change_notice", category=Category.MANDATORY,
                      description="A major policy change, 30 days ahead (P25, P19).")
        register_kind("merger_notice", category=Category.MANDATORY,
                      description="Prior notice of a merger or acquisition (P17).")
        register_kind("incident_notice", category=Category.MANDATORY,
                      description="To the people an incident affected (APPI Art. 26(2)).")
        register_kind("campaign_coverage_alert", category=Category.MANDATORY,
                      description="To privacy officers: policy notices still unsent (P25).")
        tracking.connect(on_anymail_tracking, dispatch_uid="notifications_app.tracking")

        from consent_app.hooks import policy_version_published
        from notifications_app.services.campaigns import campaign_start_for_policy

        # P25: publishing a major version starts its notice campaign (consent_app's hook).
        policy_version_published.register(campaign_start_for_policy)
