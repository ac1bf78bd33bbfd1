"""Campaigns (issue 10; RULES.md P02, P17, P19, P25): one email to many users, one Delivery row
per recipient, each email an outbox row. Alerts and officer decisions are rows too."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel
from notifications_app.models.outbox import OutboundEmail, Status


class CampaignKind(models.TextChoices):
    POLICY_CHANGE = "policy_change", _("Policy change")
    MERGER_NOTICE = "merger_notice", _("Merger or acquisition notice")
    MARKETING = "marketing", _("Releases and events (marketing)")
    # Issue 22 (APPI Art. 26(2)): to the people an incident affected; the audience and the
    # email's content come from the app that registered them (selectors/audiences.py).
    INCIDENT_NOTICE = "incident_notice", _("Notice to the people affected by an incident")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Campaign(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    policy_version = models.OneToOneField(
        "consent_app.PolicyVersion", verbose_name=_("policy version"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="campaign")
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_ja = models.TextField(_("text (Japanese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    # Policy change: the version's effective date (kept in step on postponement). Merger: the
    # date control changes. Marketing: empty.
    effective_at = models.DateTimeField(_("effective at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    batch_size = models.PositiveIntegerField(_("batch size"), default=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    fanned_out_at = models.DateTimeField(_("batches planned at"), null=True, blank=True)
    # Set when coverage was incomplete at the 30-day line (P25); cleared by acknowledgement
    # or postponement.
    needs_decision = models.BooleanField(_("needs an officer's decision"), default=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        label = self.policy_version.version if self.policy_version_id else (self.title_en
                                                                             or self.title_ja)
        return f"{self.get_kind_display()}: {label}"

    @property
    def cause(self) -> str:
        return f"campaign:{self.pk}"

    def title_for(self, language: str) -> str:
        return (self.title_en if language == "en" else self.title_ja) or self.title_ja

    def body_for(self, language: str) -> str:
        return (self.body_en if language == "en" else self.body_ja) or self.body_ja


class Delivery(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                             on_delete=models.CASCADE, related_name="campaign_deliveries")
    outbound_email = models.OneToOneField(
        OutboundEmail, verbose_name=_("outbound email"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="delivery")
    # Mirror of the outbox row's status, refreshed after each batch and by the campaign watch;
    # coverage figures read the outbox row itself.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["campaign", "user"],
                                               name="notif_delivery_once_per_user")]
        indexes = [models.Index(fields=["campaign", "status"], name="notif_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id} -> {self.user_id} ({self.status})"


class AlertKind(models.TextChoices):
    DAYS_31 = "31_days", _("31 days before: notices still unsent")
    DAYS_30 = "30_days", _("30-day line: coverage incomplete")


class CampaignAlert(models.Model):
    """One row per alert: a unique (campaign, kind, effective date) so two watches or two beats
    never alert twice; postponing the effective date allows fresh alerts for the new date."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="alerts")
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    effective_at = models.DateTimeField(_("effective at"))
    unsent = models.PositiveIntegerField(_("unsent notices"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign alert")
        verbose_name_plural = _("campaign alerts")
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "effective_at"],
                                               name="notif_campaign_alert_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"


class CampaignEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    RESTARTED = "restarted", _("Restarted")
    ACKNOWLEDGED = "acknowledged", _("Incomplete coverage acknowledged")
    POSTPONED = "postponed", _("Effective date postponed")


class CampaignEvent(AppendOnlyModel):
    """Append-only evidence of what happened to a campaign and who decided."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"
