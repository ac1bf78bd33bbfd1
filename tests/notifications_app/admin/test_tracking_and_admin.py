"""Delivery tracking through anymail's webhook, and the read-only admin with its retry action."""

import base64
import json

import pytest
from django.test import Client

from notifications_app.models import OutboundEmail, Status, TrackingStatus
from tests.notifications_app.conftest import committed, queue

pytestmark = pytest.mark.django_db

WEBHOOK = "/anymail/postmark/tracking/"
AUTH = "Basic " + base64.b64encode(b"anymail-test:webhook-secret").decode()
NOTICE = {"title": "Policy revision", "body": "Effective 2027-01-01."}


def _post_event(payload: dict, *, auth: str | None = AUTH):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return Client().post(WEBHOOK, data=json.dumps(payload), content_type="application/json",
                         **headers)


def _bounce(row, kind="HardBounce"):
    return {"RecordType": "Bounce", "Type": kind, "ID": 42, "MessageID": row.provider_message_id,
            "Email": row.recipient_email, "BouncedAt": "2026-11-29T01:00:00Z",
            "Description": "The server was unable to deliver your message", "Metadata": {}}


@pytest.fixture
def notice(alice, outbox):
    row = queue(kind="administrative_notice", cause="policy-v2", context=NOTICE,
                             user=alice)
    row.refresh_from_db()
    assert row.status == Status.SENT and row.provider_message_id
    return row


def test_p25_a_bounced_mandatory_email_is_flagged_for_staff(notice):
    response = _post_event(_bounce(notice))
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.tracking_status == TrackingStatus.BOUNCED
    assert notice.needs_staff_attention
    assert "unable to deliver" in notice.tracking_detail


def test_a_delivery_event_is_recorded_and_a_late_one_does_not_hide_a_bounce(notice):
    delivered = {"RecordType": "Delivery", "MessageID": notice.provider_message_id,
                 "Recipient": notice.recipient_email, "DeliveredAt": "2026-11-29T01:00:00Z",
                 "Details": "250 OK", "Metadata": {}}
    assert _post_event(delivered).status_code == 200
    notice.refresh_from_db()
    assert notice.tracking_status == TrackingStatus.DELIVERED
    assert not notice.needs_staff_attention
    _post_event({**_bounce(notice), "Type": "SpamComplaint", "RecordType": "SpamComplaint"})
    _post_event(delivered)
    notice.refresh_from_db()
    assert notice.tracking_status == TrackingStatus.COMPLAINED


def test_events_are_matched_by_the_outbox_id_in_metadata_when_the_message_id_differs(notice):
    payload = {**_bounce(notice), "MessageID": "unknown-to-us",
               "Metadata": {"outbound_email": str(notice.public_id)}}
    _post_event(payload)
    notice.refresh_from_db()
    assert notice.tracking_status == TrackingStatus.BOUNCED


def test_a_bounced_marketing_email_is_not_flagged_for_staff(bob, outbox, grant_marketing):
    grant_marketing(bob)
    row = queue(kind="marketing_announcement", cause="news", user=bob,
                             context={"headline": "h", "summary": "s"})
    row.refresh_from_db()
    _post_event(_bounce(row))
    row.refresh_from_db()
    assert row.tracking_status == TrackingStatus.BOUNCED
    assert not row.needs_staff_attention


@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"anymail-test:wrong").decode()])
def test_the_webhook_refuses_requests_without_the_secret(notice, auth):
    response = _post_event(_bounce(notice), auth=auth)
    assert response.status_code == 400
    notice.refresh_from_db()
    assert notice.tracking_status == ""


@pytest.fixture
def admin_client_officer(officer, staff_sign_in):
    return staff_sign_in(Client(), officer)


def test_admin_lists_filters_and_searches_outbound_emails_read_only(admin_client_officer,
                                                                     notice, bob):
    queue(kind="administrative_notice", cause="policy-v2", context=NOTICE, user=bob)
    url = "/admin/notifications_app/outboundemail/"
    listing = admin_client_officer.get(url + "?q=alice@example.jp").content.decode()
    assert "alice@example.jp" in listing and "bob@example.com" not in listing
    for query in ("?status__exact=sent", "?kind=administrative_notice",
                  "?category__exact=mandatory", "?needs_staff_attention__exact=1"):
        assert admin_client_officer.get(url + query).status_code == 200
    detail = admin_client_officer.get(f"{url}{notice.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client_officer.get(url + "add/").status_code == 403


def test_admin_retry_action_sends_a_failed_email_again(admin_client_officer, alice, outbox):
    from django.test import override_settings

    from tests.notifications_app.backends import FlakyAnymailBackend

    FlakyAnymailBackend.failures, FlakyAnymailBackend.status_code = 1, 400
    with override_settings(EMAIL_BACKEND="tests.notifications_app.backends.FlakyAnymailBackend"):
        row = queue(kind="administrative_notice", cause="c", context=NOTICE,
                                 user=alice)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    sent = queue(kind="administrative_notice", cause="d", context=NOTICE,
                              user=alice)
    with committed():
        response = admin_client_officer.post("/admin/notifications_app/outboundemail/", {
            "action": "retry_failed", "_selected_action": [row.pk, sent.pk]}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 件のメールを再送待ちにしました。" in text
    assert "1 件のメールはスキップしました。再送できるのは送信に失敗したメールだけです。" in text
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 1
    assert len(outbox) == 2
    assert OutboundEmail.objects.get(pk=sent.pk).attempts == 1


def test_only_the_configured_esps_tracking_webhook_is_mounted():
    from django.urls import get_resolver

    anymail = get_resolver().namespace_dict["anymail"][1]
    mounted = {name for name in anymail.reverse_dict if isinstance(name, str)}
    assert mounted == {"postmark_tracking_webhook"}
