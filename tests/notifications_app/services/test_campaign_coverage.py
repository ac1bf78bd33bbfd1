# ruff: noqa: RUF001 - Japanese text uses full-width punctuation on purpose.
"""Coverage of a policy-change campaign (P25): the figures add up; officers are alerted once
31 days before and once at the 30-day line; an incomplete campaign needs a recorded decision
(acknowledge, or postpone the effective date)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model

from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.evidence import AppendOnlyError
from consent_app.models import PolicyVersion
from notifications_app.models import (
    Campaign,
    CampaignAlert,
    CampaignEvent,
    CampaignEventKind,
    OutboundEmail,
    Status,
    TrackingStatus,
)
from notifications_app.selectors.campaigns import campaign_coverage, campaign_unreached_users
from notifications_app.services import campaigns
from tests.notifications_app.campaign_helpers import publish, users
from tests.notifications_app.conftest import committed

pytestmark = pytest.mark.django_db


def _campaign(days: float = 40) -> Campaign:
    version = publish(days=days)  # not committed: no fan-out ran, every recipient missing
    return Campaign.objects.get(policy_version=version)


def test_p25_coverage_figures_add_up_and_name_the_users_not_reached(outbox):
    crowd = users(8)
    campaign = _campaign()
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0,
                                         upto_pk=crowd[5].pk)  # 6 deliveries, 2 users missing
    campaigns.campaign_batch_send(outbound_email_ids=ids[:4])
    OutboundEmail.objects.filter(pk=ids[0]).update(tracking_status=TrackingStatus.BOUNCED)
    OutboundEmail.objects.filter(pk=ids[1]).update(tracking_status=TrackingStatus.REJECTED)
    OutboundEmail.objects.filter(pk=ids[4]).update(status=Status.FAILED)
    coverage = campaign_coverage(campaign=campaign)
    assert coverage.as_dict() == {
        "recipients": 8, "deliveries": 6, "sent": 4, "sent_on_time": 4, "pending": 1,
        "failed": 1, "suppressed": 0, "bounced": 2, "missing": 2, "not_reached": 6,
        "unsent": 4, "complete": False}
    assert coverage.sent + coverage.pending + coverage.failed + coverage.suppressed \
        + coverage.missing == coverage.recipients
    unreached = set(campaign_unreached_users(campaign=campaign).values_list("pk", flat=True))
    reached = {crowd[2].pk, crowd[3].pk}
    assert unreached == {u.pk for u in crowd} - reached
    assert len(unreached) == coverage.not_reached


def test_p25_a_notice_sent_after_the_30_day_line_is_not_counted_on_time(outbox):
    crowd = users(2)
    campaign = _campaign(days=31)
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0,
                                         upto_pk=crowd[-1].pk)
    campaigns.campaign_batch_send(outbound_email_ids=ids[:1])
    with time_machine.travel(clock.latest_notice_at(campaign.effective_at) + timedelta(seconds=1),
                             tick=False):
        campaigns.campaign_batch_send(outbound_email_ids=ids[1:])
    coverage = campaign_coverage(campaign=campaign)
    assert (coverage.sent, coverage.sent_on_time) == (2, 1)


def test_p25_officers_are_alerted_once_31_days_before_and_once_at_the_30_day_line(officer):
    """Nothing is committed here, so the watch's re-planned fan-out never runs: the notices stay
    unsent, as when the workers are down for days."""
    users(3)
    campaign = _campaign(days=40)
    line = clock.latest_notice_at(campaign.effective_at)
    alerts = OutboundEmail.objects.filter(kind="campaign_coverage_alert", user=officer)
    assert campaigns.campaigns_watch() == 0  # 40 days ahead: nothing to say yet
    with time_machine.travel(line - timedelta(hours=23), tick=False):
        assert campaigns.campaigns_watch() == 1
        assert campaigns.campaigns_watch() == 0  # a second beat: no second alert
    assert alerts.count() == 1 and alerts.get().context["unsent"] == 4  # 3 users + officer
    campaign.refresh_from_db()
    assert not campaign.needs_decision
    with time_machine.travel(line + timedelta(minutes=5), tick=False):
        assert campaigns.campaigns_watch() == 1
        assert campaigns.campaigns_watch() == 0
    assert sorted(CampaignAlert.objects.values_list("kind", flat=True)) == ["30_days", "31_days"]
    assert alerts.count() == 2 and {a.category for a in alerts} == {"mandatory"}
    campaign.refresh_from_db()
    assert campaign.needs_decision


def test_p25_coverage_alert_email_tells_the_officer_what_to_do(officer, outbox):
    campaign = _campaign(days=40)
    with time_machine.travel(clock.latest_notice_at(campaign.effective_at) + timedelta(hours=1),
                             tick=False), committed():
        campaigns.campaign_watch(campaign=campaign)
    early, line = [m for m in outbox if "notifications_app/campaign" in m.body]
    assert "延期" not in early.body and "延期" in line.body  # the officer's language: ja
    assert f"/admin/notifications_app/campaign/{campaign.pk}/change/" in line.body
    assert "プライバシーポリシー改定（第3版）" in line.subject


def test_p25_complete_coverage_raises_no_alert(officer, outbox):
    users(2)
    with committed():
        version = publish(days=40)
    campaign = Campaign.objects.get(policy_version=version)
    with time_machine.travel(clock.latest_notice_at(campaign.effective_at) + timedelta(hours=1),
                             tick=False), committed():
        assert campaigns.campaigns_watch() == 0
    campaign.refresh_from_db()
    assert not campaign.needs_decision and not CampaignAlert.objects.exists()


def test_p25_incomplete_coverage_at_the_line_is_acknowledged_with_a_recorded_reason(officer):
    campaign = _campaign(days=40)
    with time_machine.travel(clock.latest_notice_at(campaign.effective_at) + timedelta(hours=1),
                             tick=False):
        campaigns.campaigns_watch()
        campaign.refresh_from_db()
        assert campaign.needs_decision
        with pytest.raises(DomainError):
            campaigns.campaign_coverage_acknowledge(campaign=campaign, actor=officer, note=" ")
        event = campaigns.campaign_coverage_acknowledge(
            campaign=campaign, actor=officer, note="Two addresses bounce; support will call.")
        campaigns.campaigns_watch()
    campaign.refresh_from_db()
    assert not campaign.needs_decision
    assert event.kind == CampaignEventKind.ACKNOWLEDGED and event.actor == officer
    assert event.data["coverage"]["missing"] == campaign_coverage(campaign=campaign).missing
    with pytest.raises(AppendOnlyError):
        CampaignEvent.objects.filter(pk=event.pk).delete()


def test_p25_postponing_restarts_the_30_days_and_alerts_apply_to_the_new_date(officer, outbox):
    campaign = _campaign(days=40)
    line = clock.latest_notice_at(campaign.effective_at)
    with time_machine.travel(line + timedelta(hours=1), tick=False):
        campaigns.campaigns_watch()
        too_soon = clock.now() + timedelta(days=29)
        with pytest.raises(DomainError):
            campaigns.campaign_postpone(campaign=campaign, effective_at=too_soon, actor=officer)
        new_date = clock.now() + timedelta(days=31)
        with committed():
            campaigns.campaign_postpone(campaign=campaign, effective_at=new_date, actor=officer,
                                        note="Notices failed; giving everyone 30 days.")
    campaign.refresh_from_db()
    assert campaign.effective_at == new_date and not campaign.needs_decision
    assert PolicyVersion.objects.get(pk=campaign.policy_version_id).effective_at == new_date
    assert campaign_coverage(campaign=campaign).complete  # the restarted fan-out sent them
    assert all("2026" in m.subject or "2027" in m.subject for m in outbox
               if m.to != [officer.email])
    event = campaign.events.get(kind=CampaignEventKind.POSTPONED)
    assert event.data["effective_at"] == new_date.isoformat()


def test_p25_inactive_users_are_not_recipients():
    crowd = users(3)
    get_user_model().objects.filter(pk=crowd[0].pk).update(is_active=False)
    campaign = _campaign()
    assert campaign_coverage(campaign=campaign).recipients == 2
