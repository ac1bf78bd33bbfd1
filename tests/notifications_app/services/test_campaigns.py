# ruff: noqa: RUF001 - Japanese text uses full-width punctuation on purpose.
"""Policy-change campaigns (P25): the 30-day guard, fan-out to every active user exactly once
(late sign-ups included), restart without duplicates, bad input. Tasks run eagerly here; the
same through Redis and a real worker in test_campaigns_live.py."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from consent_app.models import PolicyVersion
from notifications_app.models import Campaign, CampaignStatus, Delivery, OutboundEmail, Status
from notifications_app.selectors.campaigns import campaign_coverage
from notifications_app.services import campaigns
from notifications_app.tasks import send_outbound_email
from tests.notifications_app.campaign_helpers import publish, sent_per_recipient, users
from tests.notifications_app.conftest import broker_unreachable, committed, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.CAMPAIGNS = {**settings.CAMPAIGNS, "BATCH_SIZE": 3}


def active_users():
    return get_user_model().objects.filter(is_active=True)


def campaign_published_for(count: int):
    """`count` more users, a major version published (its fan-out not run), its campaign, and
    the pk of the last active user (the upper end of one batch over everybody)."""
    users(count)
    version = publish()
    campaign = Campaign.objects.get(policy_version=version)
    return campaign, active_users().order_by("-pk").first().pk


def test_p25_major_version_with_less_than_30_days_notice_is_refused_and_sends_nothing(alice):
    with committed(), pytest.raises(DomainError) as exc:
        publish(days=29.9)
    assert exc.value.code == "policy_version_invalid"
    assert "30" in str(exc.value.message) and list(exc.value.details) == ["effective_at"]
    assert not Campaign.objects.exists() and not PolicyVersion.objects.filter(version="3").exists()
    assert mail.outbox == []


def test_p25_major_version_30_days_ahead_reaches_every_active_user_exactly_once(outbox, alice,
                                                                                 bob):
    crowd = users(10)
    get_user_model().objects.filter(pk=crowd[0].pk).update(is_active=False)
    with committed():
        version = publish(days=30.01)
    campaign = Campaign.objects.get(policy_version=version)
    expected = set(active_users().values_list("email", flat=True))
    counts = sent_per_recipient()
    assert set(counts) == expected and set(counts.values()) == {1}
    assert crowd[0].email not in counts
    assert Delivery.objects.filter(campaign=campaign).count() == len(expected)
    coverage = campaign_coverage(campaign=campaign)
    assert (coverage.recipients, coverage.sent, coverage.sent_on_time, coverage.unsent) == (
        len(expected), len(expected), len(expected), 0)
    for message in outbox:  # mandatory (P19): no unsubscribe header
        assert "List-Unsubscribe" not in message.extra_headers


def test_p25_minor_version_sends_no_email(outbox, alice):
    with committed():
        publish(days=3, importance="minor")
    assert not Campaign.objects.exists() and outbox == []


def test_p25_publishing_the_same_version_twice_is_refused(outbox, alice):
    with committed():
        version = publish()
    with committed(), pytest.raises(DomainError) as exc:
        publish()
    assert list(exc.value.details) == ["version"]
    with pytest.raises(ConflictError):
        campaigns.campaign_start_for_policy(version=version)
    assert Campaign.objects.count() == 1 and len(outbox) == 1


@pytest.mark.parametrize("missing", ["summary_en", "summary_ja", "full_text_ja"])
def test_p25_publishing_with_a_missing_translation_is_refused(alice, missing):
    with committed(), pytest.raises(DomainError):
        publish(**{missing: ""})
    assert not PolicyVersion.objects.filter(version="3").exists()
    assert not Campaign.objects.exists() and mail.outbox == []


def test_p25_effective_date_in_the_past_is_refused(alice):
    with committed(), pytest.raises(DomainError) as exc:
        publish(days=-1)
    assert list(exc.value.details) == ["effective_at"]
    assert not Campaign.objects.exists()


def test_p25_email_is_in_the_recipients_language_with_link_jst_date_and_how_to_leave(
        outbox, alice, bob):
    effective = clock.start_of_jst_day(clock.jst_date(clock.now()) + timedelta(days=40))
    from consent_app.services import policy_version_publish
    with committed():
        policy_version_publish(version="3", importance="major", effective_at=effective,
                               summary_ja="要約です。", summary_en="The summary.",
                               full_text_ja="全文")
    by_to = {m.to[0]: m for m in outbox}
    ja, en = by_to[alice.email], by_to[bob.email]
    day = clock.to_jst(effective)
    assert f"{day:%Y年%-m月%-d日} 00:00（日本時間）" in ja.subject
    # Japanese is the default language: its URLs carry no prefix
    assert "要約です。" in ja.body and "8000/policy/v/3/" in ja.body
    assert "8000/account/close/" in ja.body and "/en/" not in ja.body
    assert "00:00 JST" in en.subject and "The summary." in en.body
    assert "/en/policy/v/3/" in en.body and "/en/account/close/" in en.body
    assert "close" in en.body.lower() and "before" in en.body
    html = en.alternatives[0][0]
    assert "/en/policy/v/3/" in html and "The summary." in html


def test_p25_user_who_signs_up_after_publication_gets_the_notice_once(outbox, alice):
    from accounts_app.services.accounts import account_sign_up

    with committed():
        version = publish()
    outbox.clear()
    with committed():
        carol = account_sign_up(username="carol", email="carol@example.jp",
                                password="correct-horse-battery-42", language="en",
                                accept_policy=True, consent_cross_border_storage=True)
    campaign = Campaign.objects.get(policy_version=version)
    with committed():
        campaigns.campaign_enroll_user(user=carol)  # again: nothing new
        campaigns.campaign_restart(campaign=campaign)
    notices = [m for m in outbox if "policy" in m.subject.lower()]
    assert [m.to for m in notices] == [["carol@example.jp"]]
    assert Delivery.objects.filter(campaign=campaign, user=carol).count() == 1
    assert sent_per_recipient()[alice.email] == 0


def test_p25_user_who_signs_up_after_the_effective_date_gets_no_notice(outbox, alice):
    from accounts_app.services.accounts import account_sign_up

    with committed():
        version = publish()
    with time_machine.travel(version.effective_at + timedelta(minutes=1), tick=False), \
            committed():
        account_sign_up(username="dave", email="dave@example.jp",
                        password="correct-horse-battery-42", accept_policy=True,
                        consent_cross_border_storage=True)
    dave = get_user_model().objects.get(username="dave")
    assert not Delivery.objects.filter(user=dave).exists()
    assert not OutboundEmail.objects.filter(user=dave, kind="policy_change_notice").exists()


def test_p25_restart_after_a_crash_mid_campaign_sends_only_what_is_missing(outbox, alice):
    crowd = users(8)
    version = publish()  # not committed: the fan-out never ran (the worker died before it)
    campaign = Campaign.objects.get(policy_version=version)
    # The first batch was written, half of it sent; the worker was killed mid-batch, leaving
    # one row claimed (`sending`) and the rest queued.
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0,
                                         upto_pk=crowd[3].pk)
    campaigns.campaign_batch_send(outbound_email_ids=ids[:2])
    OutboundEmail.objects.filter(pk=ids[2]).update(status=Status.SENDING, claimed_at=clock.now())
    with committed():
        campaigns.campaign_restart(campaign=campaign)
    with time_machine.travel(clock.now() + timedelta(minutes=11), tick=False):
        sweep()  # hands the row the dead worker held back to the queue
    counts = sent_per_recipient()
    assert set(counts.values()) == {1}
    assert set(counts) == set(active_users().values_list("email", flat=True))
    assert OutboundEmail.objects.filter(cause=campaign.cause).count() == len(counts)
    # a batch redelivered once more (acks_late) queues and sends nothing
    assert campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0,
                                          upto_pk=crowd[-1].pk) == []


def test_p25_duplicate_batch_task_sends_each_email_once(outbox, alice):
    campaign, last = campaign_published_for(5)
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0, upto_pk=last)
    again = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0, upto_pk=last)
    assert ids == again
    campaigns.campaign_batch_send(outbound_email_ids=ids)
    campaigns.campaign_batch_send(outbound_email_ids=again)
    send_outbound_email.delay(ids[0])
    assert set(sent_per_recipient().values()) == {1} and len(outbox) == len(ids)
    assert set(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        Status.SENT}


def test_p25_broker_down_during_fan_out_loses_nothing_once_it_returns(outbox, alice, bob):
    users(4)
    with broker_unreachable(), committed():
        version = publish()
    campaign = Campaign.objects.get(policy_version=version)
    assert campaign.status == CampaignStatus.RUNNING and outbox == []
    assert campaign_coverage(campaign=campaign).missing == active_users().count()
    # The broker is back: the beat's campaign watch plans the lost fan-out.
    with committed():
        campaigns.campaigns_watch()
    assert set(sent_per_recipient()) == set(active_users().values_list("email", flat=True))
    assert set(sent_per_recipient().values()) == {1}
    with committed():
        campaigns.campaigns_watch()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED


def test_p25_broker_down_while_a_batch_is_sent_is_recovered_by_the_outbox_sweep(outbox, alice):
    campaign, last = campaign_published_for(3)
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0, upto_pk=last)
    # the worker ran the queue step and died: rows are committed and stay queued
    assert outbox == [] and len(ids) == active_users().count()
    with time_machine.travel(clock.now() + timedelta(minutes=6), tick=False):
        assert sweep() == len(ids)
    assert set(sent_per_recipient().values()) == {1} and len(outbox) == len(ids)


def test_a_delivery_follows_its_outbox_row_when_the_sweep_took_the_row_back(alice):
    """Marking a batch sent leaves alone a row that left `sending` meanwhile, and its delivery:
    the campaign never shows sent what the outbox will still send."""
    from notifications_app.services.batch_sending import outbox_rows_mark_sent

    campaign, last_pk = campaign_published_for(3)
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0, upto_pk=last_pk)
    taken_back, *ours = ids
    OutboundEmail.objects.filter(pk__in=ours).update(status=Status.SENDING)
    now = clock.now()
    outbox_rows_mark_sent([(pk, f"pm-{pk}") for pk in ids], now=now)
    rows = {row.pk: row for row in OutboundEmail.objects.filter(pk__in=ids)}
    deliveries = {d.outbound_email_id: d for d in Delivery.objects.filter(campaign=campaign)}
    assert rows[taken_back].status == Status.QUEUED and rows[taken_back].provider_message_id == ""
    assert deliveries[taken_back].status == Status.QUEUED and deliveries[taken_back].sent_at is None
    for pk in ours:
        assert (rows[pk].status, rows[pk].provider_message_id, rows[pk].sent_at) == (
            Status.SENT, f"pm-{pk}", now)
        assert (deliveries[pk].status, deliveries[pk].sent_at) == (Status.SENT, now)
