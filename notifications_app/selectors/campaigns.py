"""Reads over campaigns: who receives a campaign, and its coverage (P25, P17, P02)."""

from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from ccucaas_privacy import clock
from ccucaas_privacy.rules import enforces
from consent_app.models import ConsentEvent
from consent_app.selectors import GRANTED_ACTIONS
from notifications_app.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Delivery,
    Status,
    TrackingStatus,
)
from notifications_app.selectors.audiences import AUDIENCE_KINDS, audience_get

MARKETING_PURPOSE = "marketing_email"
UNSENT = (Status.QUEUED, Status.SENDING)
UNDELIVERED = (TrackingStatus.BOUNCED, TrackingStatus.REJECTED)


def users_active() -> QuerySet:
    return get_user_model().objects.filter(is_active=True)


@enforces("P02")
def users_with_marketing_consent() -> QuerySet:
    """Active users whose latest marketing_email ledger event grants it (P02)."""
    latest = (ConsentEvent.objects.filter(user=OuterRef("pk"), purpose=MARKETING_PURPOSE)
              .order_by("-created_at", "-id").values("action")[:1])
    return users_active().annotate(_marketing=Subquery(latest)).filter(
        _marketing__in=GRANTED_ACTIONS)


@enforces("P17", "P25")
def campaign_recipients(*, campaign: Campaign) -> QuerySet:
    """Everyone the campaign is for: every active user for mandatory notices (P25, P17); for
    marketing only users who consent now (the outbox checks again at send time)."""
    if campaign.kind == CampaignKind.MARKETING:
        return users_with_marketing_consent()
    if campaign.kind in AUDIENCE_KINDS:  # never everyone: only whom the registered app names
        audience = audience_get(campaign.kind)
        recipients = audience.recipients(campaign) if audience else users_active().none()
        return users_active().filter(pk__in=recipients.values("pk"))
    return users_active()


def campaign_get(*, public_id) -> Campaign:
    return Campaign.objects.select_related("policy_version").get(public_id=public_id)


def campaigns_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("policy_version").order_by("-created_at", "-id")


def campaigns_enrolling() -> QuerySet[Campaign]:
    """Mandatory campaigns a new account must also get: started, effective date ahead."""
    return Campaign.objects.filter(
        kind__in=[CampaignKind.POLICY_CHANGE, CampaignKind.MERGER_NOTICE],
        status__in=[CampaignStatus.RUNNING, CampaignStatus.FINISHED],
        effective_at__gt=clock.now()).select_related("policy_version")


def campaigns_watched() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status=CampaignStatus.RUNNING).select_related(
        "policy_version")


@enforces("P17")
def merger_notices_published() -> QuerySet[Campaign]:
    return Campaign.objects.filter(kind=CampaignKind.MERGER_NOTICE).exclude(
        status=CampaignStatus.DRAFT).order_by("-started_at", "-id")


@dataclass(frozen=True)
class Coverage:
    """Every recipient is in exactly one of sent / pending / failed / suppressed / missing
    (no delivery row yet); bounced is a part of sent. Not reached = all but sent-and-not-
    bounced."""

    recipients: int
    deliveries: int
    sent: int
    sent_on_time: int | None
    pending: int
    failed: int
    suppressed: int
    bounced: int
    missing: int
    not_reached: int

    @property
    def unsent(self) -> int:
        return self.pending + self.failed + self.missing

    @property
    def complete(self) -> bool:
        return self.unsent == 0

    def as_dict(self) -> dict:
        return {**asdict(self), "unsent": self.unsent, "complete": self.complete}


def _missing(campaign: Campaign) -> QuerySet:
    has_delivery = Delivery.objects.filter(campaign=campaign, user=OuterRef("pk"))
    return campaign_recipients(campaign=campaign).filter(~Exists(has_delivery))


def campaign_coverage(*, campaign: Campaign) -> Coverage:
    """Figures from the outbox rows themselves (the Delivery status is only a mirror)."""
    q_sent = Q(outbound_email__status=Status.SENT)
    figures = {
        "deliveries": Count("id"),
        "sent": Count("id", filter=q_sent),
        "pending": Count("id", filter=Q(outbound_email__isnull=True)
                         | Q(outbound_email__status__in=UNSENT)),
        "failed": Count("id", filter=Q(outbound_email__status=Status.FAILED)),
        "suppressed": Count("id", filter=Q(outbound_email__status=Status.SUPPRESSED)),
        "bounced": Count("id", filter=q_sent & Q(outbound_email__tracking_status__in=UNDELIVERED)),
    }
    if campaign.effective_at is not None:
        figures["sent_on_time"] = Count("id", filter=q_sent & Q(
            outbound_email__sent_at__lte=clock.latest_notice_at(campaign.effective_at)))
    row = Delivery.objects.filter(campaign=campaign).aggregate(**figures)
    missing = _missing(campaign).count() if campaign.status != CampaignStatus.DRAFT else 0
    return Coverage(
        recipients=row["deliveries"] + missing, deliveries=row["deliveries"], sent=row["sent"],
        sent_on_time=row.get("sent_on_time"), pending=row["pending"], failed=row["failed"],
        suppressed=row["suppressed"], bounced=row["bounced"], missing=missing,
        not_reached=row["pending"] + row["failed"] + row["bounced"] + missing)


def campaign_unreached_users(*, campaign: Campaign) -> QuerySet:
    """The users the campaign has not reached: no delivery yet, not sent (queued, sending,
    failed), or bounced / rejected by the provider. Suppressed marketing is not 'unreached'."""
    unreached = Delivery.objects.filter(campaign=campaign, user=OuterRef("pk")).filter(
        Q(outbound_email__isnull=True) | Q(outbound_email__status__in=(*UNSENT, Status.FAILED))
        | Q(outbound_email__tracking_status__in=UNDELIVERED))
    has_delivery = Delivery.objects.filter(campaign=campaign, user=OuterRef("pk"))
    missing = Q(pk__in=_missing(campaign).values("pk")) if campaign.status != CampaignStatus.DRAFT \
        else Q(pk__in=[])
    return get_user_model().objects.filter(Exists(unreached) | (missing & ~Exists(has_delivery))
                                           ).order_by("pk")


def notice_get(*, public_id) -> Campaign:
    """A public notice: a started merger notice or marketing announcement (never a draft)."""
    return Campaign.objects.filter(
        kind__in=[CampaignKind.MERGER_NOTICE, CampaignKind.MARKETING]).exclude(
        status=CampaignStatus.DRAFT).get(public_id=public_id)
