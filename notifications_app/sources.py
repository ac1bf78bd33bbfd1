"""The emails sent to a user, as a source of the fulfilment registry (ccucaas_privacy.datasources;
DESIGN section 6, RULES.md P19). Erasure anonymises each row (recipient, context, provider
details) and keeps the bare facts (kind, time, status) the outbox needs for its idempotency.
Rows not yet sent are left to the outbox: the erasure retries until they are sent."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.datasources import (
    KEPT_WHILE_ACCOUNT_OPEN,
    ErasureResult,
    Retention,
    SourceBusy,
    UserRowsSource,
    register,
)
from notifications_app.models import OutboundEmail, Status

ERASED_RECIPIENT = "erased@erased.invalid"


def _rows(user):
    return OutboundEmail.objects.filter(Q(user=user) | Q(recipient_email__iexact=user.email))


class OutboundEmailSource(UserRowsSource):
    category = "outbound_emails"
    rule = "P19"
    retention = Retention(
        text=_("Address and contents erased %(period)s after sending; the kind, time and "
               "status are kept."), setting="outbound_emails", action="anonymise")
    title = _("Emails sent to you")
    description = _("The notices and messages we emailed you: kind, address, language, status "
                    "and time.")
    models = ("notifications_app.OutboundEmail",)
    columns = ("kind", "category", "recipient_email", "language", "status", "created_at",
               "sent_at", "tracking_status")

    def user_rows(self, user):
        return _rows(user).order_by("created_at", "id")

    def erase(self, user):
        rows = _rows(user)
        if rows.filter(status__in=[Status.QUEUED, Status.SENDING]).exists():
            raise SourceBusy("emails to this user are still being sent")
        anonymised = rows.update(recipient_email=ERASED_RECIPIENT, context={}, last_error="",
                                 suppressed_reason="", tracking_detail="")
        return ErasureResult(anonymised=anonymised)

    def retention_querysets(self, *, cutoff):
        return [OutboundEmail.objects.filter(created_at__lt=cutoff)
                .exclude(status__in=[Status.QUEUED, Status.SENDING])
                .exclude(recipient_email=ERASED_RECIPIENT)]

    def retention_apply(self, *, rows):
        return ErasureResult(anonymised=rows.update(
            user=None, recipient_email=ERASED_RECIPIENT, context={}, last_error="",
            suppressed_reason="", tracking_detail=""))


class CampaignDeliverySource(UserRowsSource):
    """The campaigns that reached the user (policy changes P25, merger notices P17, marketing
    P02), and, for staff, the campaigns they created and the decisions they recorded. Erasure
    deletes the user's delivery rows (the anonymised outbox row stays as the record that the
    notice was sent); an officer's recorded decision is append-only evidence and is retained."""

    category = "campaign_deliveries"
    rule = "P25"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Notices and campaigns sent to you")
    description = _("Policy-change notices, merger notices and news campaigns: which campaign, "
                    "when it was queued and sent, and its status.")
    models = ("notifications_app.Delivery", "notifications_app.Campaign",
              "notifications_app.CampaignEvent")
    columns = ("campaign__kind", "campaign__title_en", "campaign__effective_at", "status",
               "queued_at", "sent_at")
    ordering = ("queued_at", "id")

    def erase(self, user):
        from notifications_app.models import Campaign, CampaignEvent, Delivery

        deliveries = Delivery.objects.filter(user=user)
        if deliveries.filter(outbound_email__status__in=[Status.QUEUED, Status.SENDING]).exists():
            raise SourceBusy("campaign emails to this user are still being sent")
        erased, _detail = deliveries.delete()
        anonymised = Campaign.objects.filter(created_by=user).update(created_by=None)
        retained = CampaignEvent.objects.filter(actor=user).count()
        return ErasureResult(
            erased=erased, anonymised=anonymised, retained=retained,
            retained_reason="Officers' decisions on policy-change campaigns are evidence of "
                            "P25 compliance (append-only)." if retained else "")


def sources_register() -> None:
    register(OutboundEmailSource)
    register(CampaignDeliverySource)
