# ruff: noqa: RUF001 - Japanese text uses full-width punctuation on purpose.
"""The outbox against Postmark's wire format (a local server built from Postmark's API
reference, fakes/postmark.py, with anymail's real Postmark backend pointed at it): one tag, the
broadcast and transactional streams, batches of at most 500 rendered once per language, each
recipient's message id on its own row, 429/5xx retried, tracking webhooks per recipient."""

import base64
import json
from collections import Counter

import pytest
from django.test import Client

from fakes.postmark import bounce_event, delivery_event, spam_complaint_event
from notifications_app.models import Campaign, Delivery, OutboundEmail, Status, TrackingStatus
from notifications_app.services.outbox import notifications_queue_many
from notifications_app.services.sending import outbound_emails_send
from notifications_app.tokens import unsubscribe_token_read
from tests.notifications_app.campaign_helpers import publish, users
from tests.notifications_app.conftest import committed, queue

pytestmark = pytest.mark.django_db

WEBHOOK = "/anymail/postmark/tracking/"
AUTH = "Basic " + base64.b64encode(b"anymail-test:webhook-secret").decode()
NOTICE = {"title": "Scheduled maintenance", "body": "Sunday 02:00-04:00 JST."}


def _post(payload: dict):
    return Client().post(WEBHOOK, data=json.dumps(payload), content_type="application/json",
                         HTTP_AUTHORIZATION=AUTH)


def test_a_single_notice_carries_one_tag_and_travels_in_the_transactional_stream(
        fake_postmark, alice):
    row = queue(kind="administrative_notice", cause="one-tag", context=NOTICE, user=alice)
    row.refresh_from_db()
    assert row.status == Status.SENT, row.last_error
    assert fake_postmark.calls["/email"] == 1
    sent = fake_postmark.messages[0]
    assert sent["Tag"] == "administrative_notice"
    assert sent["MessageStream"] == "outbound"
    assert sent["Metadata"]["outbound_email"] == str(row.public_id)
    assert row.provider_message_id == sent["MessageID"]


def test_p25_a_campaign_goes_in_batches_of_at_most_500_rendered_once_per_language(
        fake_postmark, settings):
    settings.CAMPAIGNS = {**settings.CAMPAIGNS, "BATCH_SIZE": 1200}
    crowd = users(1100, prefix="pm")  # every other one English
    with committed():
        version = publish(days=31)
    campaign = Campaign.objects.get(policy_version=version)
    rows = OutboundEmail.objects.filter(cause=campaign.cause)
    assert rows.filter(status=Status.SENT).count() == len(crowd)
    # 550 per language: two calls each (500 + 50), one stored template per language
    assert fake_postmark.calls["/email/batchWithTemplates"] == 4
    assert fake_postmark.calls["/email"] == 0
    assert len({t["Alias"] for t in fake_postmark.templates.values()}) == 2
    assert set(fake_postmark.per_recipient.values()) == {1}
    assert set(fake_postmark.per_recipient) == {u.email for u in crowd}
    by_to = {m["To"]: m for m in fake_postmark.messages}
    for user in (crowd[0], crowd[1]):
        message, row = by_to[user.email], rows.get(user=user)
        assert row.provider_message_id == message["MessageID"]
        assert (message["Tag"], message["MessageStream"]) == ("policy_change_notice", "outbound")
        assert message["Headers"]["Message-ID"] == f"<{row.public_id}@ccucaas.example>"
        assert "List-Unsubscribe" not in message["Headers"]  # mandatory (P19)
        assert user.username in message["TextBody"] and user.username in message["HtmlBody"]
        assert "{{" not in message["TextBody"] + message["HtmlBody"] + message["Subject"]
    assert "Dear" in by_to[crowd[1].email]["TextBody"]  # English
    # the delivery mirror follows the outbox rows at once
    assert set(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        Status.SENT}


def test_p02_marketing_goes_in_the_broadcast_stream_with_each_recipients_own_unsubscribe(
        fake_postmark, grant_marketing):
    crowd = [grant_marketing(u) for u in users(3, prefix="mk")]
    with committed():
        queued = notifications_queue_many(
            kind="marketing_announcement", cause="news-1", users=crowd,
            context_for=lambda lang: {"headline": "News", "summary": "Faster search.",
                                      "url": "https://ccucaas.example/news/1"})
    assert len(queued) == 3
    assert fake_postmark.calls["/email/batchWithTemplates"] == 1
    for user in crowd:
        message = next(m for m in fake_postmark.messages if m["To"] == user.email)
        url = message["Headers"]["List-Unsubscribe"].strip("<>")
        assert unsubscribe_token_read(url.rstrip("/").rsplit("/", 1)[1]) == user.pk
        assert message["MessageStream"] == "broadcast"
        assert message["Headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in message["TextBody"]
        assert url.replace("&", "&amp;") in message["HtmlBody"]


def test_a_redone_bulk_queue_queues_nothing_new(fake_postmark):
    crowd = users(4, prefix="rd")
    def context(lang):
        return NOTICE

    with committed():
        first = notifications_queue_many(kind="administrative_notice", cause="redo",
                                         users=crowd, context_for=context)
    with committed():
        again = notifications_queue_many(kind="administrative_notice", cause="redo",
                                         users=crowd, context_for=context)
    assert {pk for pk, _ in first.values()} == {pk for pk, _ in again.values()}
    assert OutboundEmail.objects.filter(cause="redo").count() == 4
    assert set(fake_postmark.per_recipient.values()) == {1}


def test_a_429_answer_sends_nothing_and_the_batch_is_sent_once_on_retry(fake_postmark):
    crowd = users(5, prefix="rl")
    fake_postmark.fail_next(429)
    with committed():  # tasks run eagerly: the retry (countdown) runs at once
        notifications_queue_many(kind="administrative_notice", cause="rate", users=crowd,
                                 context_for=lambda lang: NOTICE)
    rows = OutboundEmail.objects.filter(cause="rate")
    # the first call (3 Japanese readers) was refused and retried; the English one went at once
    assert Counter(rows.values_list("status", "attempts")) == {(Status.SENT, 2): 3,
                                                               (Status.SENT, 1): 2}
    assert fake_postmark.calls["/email/batchWithTemplates"] == 3
    assert Counter(fake_postmark.per_recipient.values()) == {1: 5}


def test_a_500_answer_on_the_last_attempt_fails_the_rows_and_sends_nothing(fake_postmark, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_ATTEMPTS": 1}
    crowd = users(3, prefix="se")
    fake_postmark.fail_next(500, times=3)
    with committed():
        notifications_queue_many(kind="administrative_notice", cause="down", users=crowd,
                                 context_for=lambda lang: NOTICE, enqueue=False)
    ids = list(OutboundEmail.objects.filter(cause="down").values_list("pk", flat=True))
    assert outbound_emails_send(outbound_email_ids=ids) == 0
    rows = OutboundEmail.objects.filter(cause="down")
    assert set(rows.values_list("status", flat=True)) == {Status.FAILED}  # out of attempts
    assert "500" in rows.first().last_error
    assert fake_postmark.accepted() == 0


def test_postmark_tracking_events_land_on_each_recipients_own_row(fake_postmark):
    crowd = users(3, prefix="tr")
    with committed():
        notifications_queue_many(kind="administrative_notice", cause="track", users=crowd,
                                 context_for=lambda lang: NOTICE)
    rows = {r.recipient_email: r for r in OutboundEmail.objects.filter(cause="track")}
    ids = {m["To"]: m["MessageID"] for m in fake_postmark.messages}
    delivered, bounced, complained = (u.email for u in crowd)
    assert _post(delivery_event(message_id=ids[delivered], recipient=delivered)).status_code == 200
    assert _post(bounce_event(message_id=ids[bounced], recipient=bounced)).status_code == 200
    assert _post(spam_complaint_event(message_id=ids[complained],
                                      recipient=complained)).status_code == 200
    _post(delivery_event(message_id=ids[bounced], recipient=bounced))  # late: hides nothing
    for row in rows.values():
        row.refresh_from_db()
    assert rows[delivered].tracking_status == TrackingStatus.DELIVERED
    assert rows[bounced].tracking_status == TrackingStatus.BOUNCED
    assert rows[bounced].needs_staff_attention  # a mandatory notice that did not arrive
    assert rows[complained].tracking_status == TrackingStatus.COMPLAINED


def test_p25_the_effective_date_is_written_in_the_readers_language_whatever_the_workers():
    from datetime import UTC, datetime

    from django.utils import translation

    from notifications_app.services.campaigns import jst_display

    moment = datetime(2027, 1, 2, 6, 23, tzinfo=UTC)
    with translation.override("ja"):
        assert jst_display(moment, "en") == "2 January 2027, 15:23 JST"
    with translation.override("en"):
        assert jst_display(moment, "ja") == "2027年1月2日 15:23（日本時間）"
