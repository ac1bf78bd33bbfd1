# ruff: noqa: RUF001 - Japanese text uses full-width punctuation on purpose.
"""Campaign services (issue 10; RULES.md P02, P17, P19, P25).

A campaign fans out in batches: the fan-out task walks the recipients by primary key (keyset
pagination) and enqueues one batch task per `batch_size` users; a batch writes one Delivery per
recipient (unique per campaign and user) and queues each email through the outbox with the
cause `campaign:<id>`, then sends the batch's rows. Every step is idempotent, so a restarted or
redelivered batch sends only what is missing; rows a lost message left queued are sent by the
outbox sweep; the campaign watch re-plans a campaign whose fan-out never happened.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import KombuError

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from ccucaas_privacy.staff import privacy_officers
from consent_app.models import Importance, PolicyVersion
from consent_app.services import policy_version_postpone
from notifications_app.models import (
    AlertKind,
    Campaign,
    CampaignAlert,
    CampaignEvent,
    CampaignEventKind,
    CampaignKind,
    CampaignStatus,
    Delivery,
    OutboundEmail,
    Status,
)
from notifications_app.selectors import campaigns as selectors
from notifications_app.selectors.audiences import AUDIENCE_KINDS, audience_get
from notifications_app.services.outbox import (
    LANGUAGES,
    notification_queue,
    notifications_queue_many,
)
from notifications_app.services.sending import outbound_emails_send

logger = logging.getLogger(__name__)

EMAIL_KIND = {
    CampaignKind.POLICY_CHANGE: "policy_change_notice",
    CampaignKind.MERGER_NOTICE: "merger_notice",
    CampaignKind.MARKETING: "marketing_announcement",
    CampaignKind.INCIDENT_NOTICE: "incident_notice",
}
ALERT_KIND = "campaign_coverage_alert"


def conf(name: str) -> Any:
    return settings.CAMPAIGNS[name]


def _language(user) -> str:
    return user.language if user.language in LANGUAGES else "ja"


def _url(language: str, viewname: str, *args: Any) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse(viewname, args=args)


def jst_display(value: datetime, language: str) -> str:
    """An instant as the recipient reads it: the JST date and time (P25: effective date)."""
    local = clock.to_jst(value)
    if language == "ja":
        return f"{local:%Y年%-m月%-d日 %H:%M}（日本時間）"
    with translation.override(language):  # month names in the reader's language, not the worker's
        return f"{formats.date_format(local.date(), 'j F Y', use_l10n=False)}, {local:%H:%M} JST"


def _event(campaign: Campaign, kind: str, *, actor=None, note: str = "", **data: Any) -> None:
    CampaignEvent.objects.create(campaign=campaign, kind=kind, actor=actor, note=note, data=data)


# --- creating and starting ----------------------------------------------------------------

@enforces("P17")
def campaign_validate(*, kind: str, title_ja: str, title_en: str, body_ja: str, body_en: str,
                      effective_at: datetime | None = None) -> dict[str, list[str]]:
    """The rules of a merger notice or marketing campaign, as field errors. No writes."""
    errors: dict[str, list[str]] = {}
    if kind not in (CampaignKind.MERGER_NOTICE, CampaignKind.MARKETING):
        errors["kind"] = [str(_("Policy-change campaigns start when a major policy version is "
                                "published; create merger notices or marketing campaigns here."))]
    for field, value in (("title_ja", title_ja), ("title_en", title_en),
                         ("body_ja", body_ja), ("body_en", body_en)):
        if not (value or "").strip():
            errors[field] = [str(_("Every recipient reads the campaign in their language: "
                                   "give the title and the text in Japanese and English."))]
    if kind == CampaignKind.MERGER_NOTICE:
        if effective_at is None:
            errors["effective_at"] = [str(_("Give the date the change of control takes "
                                            "effect."))]
        elif clock.to_jst(effective_at) <= clock.now():
            errors["effective_at"] = [str(_("A merger notice is a prior notice: the date must "
                                            "be in the future."))]
    return errors


@transaction.atomic
def campaign_create(*, kind: str, title_ja: str, title_en: str, body_ja: str, body_en: str,
                    effective_at: datetime | None = None, created_by=None) -> Campaign:
    """A merger notice (P17) or a marketing campaign (P02) as a draft. Policy-change campaigns
    start from publishing a major version (`campaign_start_for_policy`)."""
    errors = campaign_validate(kind=kind, title_ja=title_ja, title_en=title_en, body_ja=body_ja,
                               body_en=body_en, effective_at=effective_at)
    if errors:
        code = "translation_missing" if {"title_ja", "title_en", "body_ja", "body_en"} & set(
            errors) else "campaign_invalid"
        raise DomainError(next(iter(errors.values()))[0], code=code, details=errors)
    return Campaign.objects.create(
        kind=kind, title_ja=title_ja.strip(), title_en=title_en.strip(), body_ja=body_ja.strip(),
        body_en=body_en.strip(),
        effective_at=effective_at if kind == CampaignKind.MERGER_NOTICE else None,
        created_by=created_by, batch_size=conf("BATCH_SIZE"))


@transaction.atomic
def campaign_create_for_audience(*, kind: str, title_ja: str, title_en: str, body_ja: str,
                                 body_en: str, created_by=None) -> Campaign:
    """A draft of a campaign kind whose audience another app registered (an incident notice,
    issue 22); that app starts it with `campaign_start`."""
    if kind not in AUDIENCE_KINDS or audience_get(kind) is None:
        raise DomainError(_("No app supplies the audience of this campaign kind."),
                          code="campaign_kind_unregistered")
    for value in (title_ja, title_en, body_ja, body_en):
        if not (value or "").strip():
            raise DomainError(_("Every recipient reads the campaign in their language: give "
                                "the title and the text in Japanese and English."),
                              code="translation_missing")
    return Campaign.objects.create(
        kind=kind, title_ja=title_ja.strip(), title_en=title_en.strip(), body_ja=body_ja.strip(),
        body_en=body_en.strip(), created_by=created_by, batch_size=conf("BATCH_SIZE"))


def _fan_out_on_commit(campaign_id: int) -> None:
    from notifications_app.tasks import campaign_fan_out

    def _send() -> None:
        try:
            campaign_fan_out.delay(campaign_id)
        except (KombuError, OSError):  # the campaign watch plans it when the broker is back
            logger.warning("Broker unavailable; campaign %s waits for the watch", campaign_id,
                           exc_info=True)

    transaction.on_commit(_send)


@transaction.atomic
def campaign_start(*, campaign: Campaign, actor=None) -> Campaign:
    """Draft -> running: record it and fan out after commit."""
    updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
        status=CampaignStatus.RUNNING, started_at=clock.now())
    if not updated:
        raise ConflictError(_("This campaign has already been started."),
                            code="campaign_started")
    campaign.refresh_from_db()
    _event(campaign, CampaignEventKind.STARTED, actor=actor)
    _fan_out_on_commit(campaign.pk)
    return campaign


@enforces("P25")
@transaction.atomic
def campaign_start_for_policy(*, version: PolicyVersion, actor=None) -> Campaign | None:
    """P25: a major version is emailed to every user; a minor one gets no email (the banner
    only), so this returns None. Called by `policy_version_publish` in its transaction."""
    if version.importance != Importance.MAJOR:
        return None
    if Campaign.objects.filter(policy_version=version).exists():
        raise ConflictError(_("Version %(version)s already has its notice campaign.")
                            % {"version": version.version}, code="campaign_exists")
    campaign = Campaign.objects.create(
        kind=CampaignKind.POLICY_CHANGE, policy_version=version, effective_at=version.effective_at,
        title_ja=f"プライバシーポリシー改定（第{version.version}版）",
        title_en=f"Privacy policy version {version.version}", batch_size=conf("BATCH_SIZE"),
        created_by=actor)
    return campaign_start(campaign=campaign, actor=actor)


@transaction.atomic
def campaign_restart(*, campaign: Campaign, actor=None) -> Campaign:
    """Run the fan-out again: only recipients without a sent email get one."""
    if campaign.status == CampaignStatus.DRAFT:
        raise ConflictError(_("Start the campaign first."), code="campaign_draft")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING,
                                                   finished_at=None)
    campaign.refresh_from_db()
    _event(campaign, CampaignEventKind.RESTARTED, actor=actor)
    _fan_out_on_commit(campaign.pk)
    return campaign


# --- fan-out ------------------------------------------------------------------------------

def campaign_fan_out(*, campaign_id: int) -> int:
    """Plan the batches: keyset pages over recipient primary keys, one task per page.
    Returns the number of batches. Reads only primary keys, so memory stays flat."""
    from notifications_app.tasks import campaign_batch

    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != CampaignStatus.RUNNING:
        return 0
    recipients = selectors.campaign_recipients(campaign=campaign).order_by("pk")
    after, batches = 0, 0
    while True:
        pks = list(recipients.filter(pk__gt=after).values_list("pk", flat=True)
                   [: campaign.batch_size])
        if not pks:
            break
        campaign_batch.delay(campaign_id, after, pks[-1])
        after, batches = pks[-1], batches + 1
    Campaign.objects.filter(pk=campaign_id).update(fanned_out_at=clock.now())
    return batches


def _context(campaign: Campaign, language: str) -> dict[str, Any]:
    if campaign.kind in AUDIENCE_KINDS:
        audience = audience_get(campaign.kind)
        if audience is None:
            raise DomainError(_("No app supplies the content of this campaign."),
                              code="campaign_kind_unregistered")
        return audience.context(campaign, language)
    if campaign.kind == CampaignKind.MARKETING:
        return {"headline": campaign.title_for(language), "summary": campaign.body_for(language),
                "url": _url(language, "notifications:notice", campaign.public_id)}
    context = {"title": campaign.title_for(language),
               "effective_date": jst_display(campaign.effective_at, language)}
    if campaign.kind == CampaignKind.MERGER_NOTICE:
        return {**context, "body": campaign.body_for(language),
                "notice_url": _url(language, "notifications:notice", campaign.public_id),
                "close_account_url": _url(language, "accounts:close")}
    version = campaign.policy_version
    return {**context, "version": version.version,
            "summary": version.summary_en if language == "en" else version.summary_ja,
            "policy_url": _url(language, "consent:policy_detail", version.version),
            "close_account_url": _url(language, "accounts:close")}


def _queue_for(campaign: Campaign, users: list, contexts: dict[str, dict]) -> list[int]:
    """One outbox row and one Delivery per user, each written in bulk and idempotent (a redone
    batch writes nothing new); ids of the rows still to send."""
    def context_for(language: str) -> dict:
        if language not in contexts:
            contexts[language] = _context(campaign, language)
        return contexts[language]

    queued = notifications_queue_many(kind=EMAIL_KIND[campaign.kind], cause=campaign.cause,
                                      users=users, context_for=context_for, enqueue=False)
    Delivery.objects.bulk_create(
        [Delivery(campaign=campaign, user_id=user_id, outbound_email_id=pk, status=status)
         for user_id, (pk, status) in queued.items()], ignore_conflicts=True, batch_size=1000)
    # A delivery written before its outbox row (by an earlier version) gets its row now.
    # (a range scan of the batch's users on the (campaign, user) index, not a list of 1,000)
    unlinked = [delivery for delivery in Delivery.objects.filter(
        campaign=campaign, user_id__gte=min(queued, default=0), user_id__lte=max(queued, default=0),
        outbound_email__isnull=True) if delivery.user_id in queued]
    for delivery in unlinked:
        delivery.outbound_email_id, delivery.status = queued[delivery.user_id]
    Delivery.objects.bulk_update(unlinked, ["outbound_email", "status"])
    return [pk for pk, status in queued.values() if status == Status.QUEUED]


@transaction.atomic
def campaign_batch_queue(*, campaign_id: int, after_pk: int, upto_pk: int) -> list[int]:
    """Write the batch's deliveries and outbox rows in one transaction; return the ids of the
    rows still to send (a redone batch returns only what was not sent)."""
    campaign = Campaign.objects.select_related("policy_version").get(pk=campaign_id)
    if campaign.status == CampaignStatus.DRAFT:
        return []
    users = list(selectors.campaign_recipients(campaign=campaign)
                 .filter(pk__gt=after_pk, pk__lte=upto_pk).order_by("pk"))
    return _queue_for(campaign, users, {})


def campaign_batch_send(*, outbound_email_ids: list[int]) -> int:
    """Send the batch's rows through the outbox in one go, by the ESP's batch API where it has
    one (each row claimed, so a duplicate task or the sweep never sends a row twice; the
    delivery mirror changes in the transaction of each status write). Returns rows sent."""
    return outbound_emails_send(outbound_email_ids=outbound_email_ids)


def deliveries_sync(*, outbound_email_ids: list[int] | None = None,
                    campaign: Campaign | None = None) -> int:
    """Copy the outbox status and sent time onto the Delivery rows (a mirror for the admin)."""
    # only rows whose mirror is behind: the minute-ly watch must not rewrite a whole campaign
    rows = Delivery.objects.filter(outbound_email__isnull=False).exclude(
        status=F("outbound_email__status"))
    if outbound_email_ids is not None:
        rows = rows.filter(outbound_email_id__in=outbound_email_ids)
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    source = OutboundEmail.objects.filter(pk=OuterRef("outbound_email_id"))
    return rows.update(status=Subquery(source.values("status")[:1]),
                       sent_at=Subquery(source.values("sent_at")[:1]))


@enforces("P17", "P25")
@transaction.atomic
def campaign_enroll_user(*, user) -> list[Delivery]:
    """A user who signs up after a notice was published and before it takes effect gets it too
    (P25, P17). Idempotent; the emails go out after the caller's commit."""
    deliveries = []
    for campaign in selectors.campaigns_enrolling():
        context = _context(campaign, _language(user))
        delivery, _created = Delivery.objects.get_or_create(campaign=campaign, user=user)
        if delivery.outbound_email_id is None:
            row = notification_queue(kind=EMAIL_KIND[campaign.kind], cause=campaign.cause,
                                     context=context, user=user)
            delivery.outbound_email, delivery.status = row, row.status
            delivery.save(update_fields=["outbound_email", "status"])
        deliveries.append(delivery)
    return deliveries


# --- the watch: alerts at 31 and 30 days, officers' decisions -------------------------------

def _alert(campaign: Campaign, kind: str, unsent: int) -> bool:
    _row, created = CampaignAlert.objects.get_or_create(
        campaign=campaign, kind=kind, effective_at=campaign.effective_at,
        defaults={"unsent": unsent})
    if not created:
        return False
    for officer in privacy_officers():
        language = _language(officer)
        notification_queue(
            kind=ALERT_KIND, user=officer,
            cause=f"{campaign.cause}:alert:{kind}:{campaign.effective_at:%Y%m%d%H%M}",
            context={"campaign": campaign.title_for(language), "alert": str(kind), "unsent": unsent,
                     "effective_date": jst_display(campaign.effective_at, language),
                     "deadline": jst_display(clock.latest_notice_at(campaign.effective_at),
                                             language),
                     "admin_url": settings.SITE_URL.rstrip("/") + reverse(
                         "admin:notifications_app_campaign_change", args=[campaign.pk])})
    return True


@enforces("P25")
@transaction.atomic
def campaign_watch(*, campaign: Campaign) -> list[str]:
    """One look at a running campaign: alert officers once at 31 days and once at the 30-day
    line when notices are unsent (P25); at the line, the campaign needs a decision. Returns the
    alerts raised."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    now, raised = clock.now(), []
    coverage = selectors.campaign_coverage(campaign=campaign)
    if campaign.kind == CampaignKind.POLICY_CHANGE and campaign.effective_at > now \
            and not coverage.complete:
        line = clock.latest_notice_at(campaign.effective_at)
        early = clock.notice_warning_at(campaign.effective_at,
                                        hours_before_line=conf("EARLY_ALERT_HOURS"))
        if now >= early and _alert(campaign, AlertKind.DAYS_31, coverage.unsent):
            raised.append(AlertKind.DAYS_31)
        if now >= line:
            if _alert(campaign, AlertKind.DAYS_30, coverage.unsent):
                raised.append(AlertKind.DAYS_30)
            if not campaign.needs_decision and not campaign.events.filter(
                    kind__in=[CampaignEventKind.ACKNOWLEDGED, CampaignEventKind.POSTPONED],
                    data__effective_at=campaign.effective_at.isoformat()).exists():
                Campaign.objects.filter(pk=campaign.pk).update(needs_decision=True)
    stale = clock.now() - timedelta(seconds=conf("REPLAN_AFTER_SECONDS"))
    if coverage.missing and (campaign.fanned_out_at is None or campaign.fanned_out_at < stale):
        _fan_out_on_commit(campaign.pk)  # a fan-out lost with the broker, or never finished
    elif coverage.complete:
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FINISHED,
                                                       finished_at=now)
    deliveries_sync(campaign=campaign)
    return raised


def campaigns_watch() -> int:
    """Beat: watch every running campaign. Returns how many alerts were raised."""
    return sum(len(campaign_watch(campaign=c)) for c in selectors.campaigns_watched())


@transaction.atomic
def campaign_coverage_acknowledge(*, campaign: Campaign, actor, note: str) -> CampaignEvent:
    """The officer accepts that some users were not reached in time (P25) and says why."""
    if not (note or "").strip():
        raise DomainError(_("Say why the incomplete coverage is acceptable."),
                          code="note_required")
    coverage = selectors.campaign_coverage(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(needs_decision=False)
    campaign.refresh_from_db()
    event = CampaignEvent.objects.create(
        campaign=campaign, kind=CampaignEventKind.ACKNOWLEDGED, actor=actor, note=note.strip(),
        data={"effective_at": campaign.effective_at.isoformat() if campaign.effective_at else None,
              "coverage": coverage.as_dict()})
    return event


@enforces("P25")
@transaction.atomic
def campaign_postpone(*, campaign: Campaign, effective_at: datetime, actor,
                      note: str = "") -> Campaign:
    """Move the effective date of the campaign's policy version so that the 30 days start again
    from now (P25): the new date must leave 30 x 24 hours from now. The notices still unsent
    go out; alerts apply afresh to the new date."""
    if campaign.kind != CampaignKind.POLICY_CHANGE:
        raise DomainError(_("Only policy-change campaigns have an effective date to postpone."),
                          code="campaign_kind_invalid")
    old = campaign.effective_at
    version = policy_version_postpone(version=campaign.policy_version, effective_at=effective_at)
    new = version.effective_at
    Campaign.objects.filter(pk=campaign.pk).update(effective_at=new, needs_decision=False,
                                                   status=CampaignStatus.RUNNING,
                                                   finished_at=None)
    campaign.refresh_from_db()
    _event(campaign, CampaignEventKind.POSTPONED, actor=actor, note=note,
           old_effective_at=old.isoformat(), effective_at=campaign.effective_at.isoformat())
    _fan_out_on_commit(campaign.pk)
    return campaign

