"""The outbox against SendGrid's wire format (v3 Mail Send with personalizations and legacy
substitutions, fakes/sendgrid.py), and the start-up checks of ESP settings that would make
every send fail."""

import pytest

from notifications_app.esp import esp_configuration_check
from notifications_app.models import OutboundEmail, Status
from notifications_app.services.outbox import notifications_queue_many
from notifications_app.tokens import unsubscribe_token_read
from tests.notifications_app.campaign_helpers import users_in
from tests.notifications_app.conftest import committed

pytestmark = pytest.mark.django_db

NOTICE = {"title": "Scheduled maintenance", "body": "Sunday 02:00-04:00 JST."}


def test_sendgrid_batch_is_one_call_with_one_personalization_per_recipient(fake_sendgrid,
                                                                          grant_marketing):
    crowd = [grant_marketing(u) for u in users_in(4, "sg", "ja")]
    with committed():
        notifications_queue_many(
            kind="marketing_announcement", cause="sg-news", users=crowd,
            context_for=lambda lang: {"headline": "ニュース", "summary": "検索が速くなりました。",
                                      "url": "https://ccucaas.example/news/2"})
    rows = {r.user_id: r for r in OutboundEmail.objects.filter(cause="sg-news")}
    assert {r.status for r in rows.values()} == {Status.SENT}
    assert fake_sendgrid.calls["/v3/mail/send"] == 1
    for user in crowd:
        message = next(m for m in fake_sendgrid.messages if m["To"] == [user.email])
        url = message["Headers"]["List-Unsubscribe"].strip("<>")
        assert unsubscribe_token_read(url.rstrip("/").rsplit("/", 1)[1]) == user.pk
        assert message["Categories"] == ["marketing_announcement", "marketing"]
        assert message["CustomArgs"]["outbound_email"] == str(rows[user.pk].public_id)
        # anymail's per-recipient id is what tracking events carry back
        assert message["CustomArgs"]["anymail_id"] == rows[user.pk].provider_message_id
        assert user.username in message["TextBody"] and url in message["TextBody"]
        assert "{{" not in message["TextBody"] + message["HtmlBody"]


def test_sendgrid_refusing_the_key_fails_the_batch_without_sending(fake_sendgrid, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "SENDGRID_API_KEY": "SG.wrong"}
    with committed():
        notifications_queue_many(kind="administrative_notice", cause="bad-key",
                                 users=users_in(2, "bk", "en"),
                                 context_for=lambda lang: NOTICE)
    rows = OutboundEmail.objects.filter(cause="bad-key")
    assert set(rows.values_list("status", flat=True)) == {Status.FAILED}
    assert "401" in rows.first().last_error
    assert fake_sendgrid.accepted() == 0


def _ids(settings) -> set[str]:
    return {m.id for m in esp_configuration_check()}


def test_postmark_without_a_server_token_is_a_startup_error(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if "POSTMARK" not in k}
    assert "notifications_app.E001" in _ids(settings)
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "t"}
    assert "notifications_app.E001" not in _ids(settings)


def test_p19_marketing_and_mandatory_mail_in_one_postmark_stream_is_a_startup_error(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "t"}
    settings.EMAIL_STREAMS = {"marketing": "outbound", "mandatory": "outbound"}
    assert "notifications_app.E003" in _ids(settings)


def test_the_test_settings_pass_the_esp_checks(settings):
    assert esp_configuration_check() == []
