"""P02/P19: marketing needs consent and carries RFC 8058 one-click headers; mandatory mail has
neither and nothing an unsubscribe does can block it. Both parts in both languages."""

import pytest
from django.test import Client

from consent_app.models import ConsentEvent
from consent_app.selectors import consent_is_granted
from consent_app.services import consent_withdraw
from notifications_app.models import OutboundEmail, Status
from notifications_app.services.sending import outbound_email_send
from tests.notifications_app.conftest import broker_unreachable, queue

pytestmark = pytest.mark.django_db

NEWS = {
    "ja": {"headline": "CCUCaaS 2.0 リリース", "summary": "新しい録画機能を追加しました。",
           "event_date": "2026-12-10", "url": "https://ccucaas.example/news/2-0"},
    "en": {"headline": "CCUCaaS 2.0 released", "summary": "New recording features.",
           "event_date": "2026-12-10", "url": "https://ccucaas.example/news/2-0"},
}
NOTICE = {
    "ja": {"title": "利用規約の改定", "body": "第5条を改定します。", "effective_date": "2027-01-01"},
    "en": {"title": "Terms revised", "body": "Article 5 changes.", "effective_date": "2027-01-01"},
}


def _news(user, cause="release-2-0"):
    return queue(kind="marketing_announcement", cause=cause,
                              context=NEWS[user.language], user=user)


def _notice(user, cause="terms-2027"):
    return queue(kind="administrative_notice", cause=cause,
                              context=NOTICE[user.language], user=user)


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_p02_marketing_mail_is_not_sent_without_consent(alice, outbox):
    row = _news(alice)
    assert row.status == Status.SUPPRESSED
    assert "not consented" in row.suppressed_reason
    assert outbox == []


def test_p02_marketing_to_a_bare_address_is_never_sent(outbox):
    row = queue(kind="marketing_announcement", cause="x", context=NEWS["en"],
                             email="stranger@example.org", language="en")
    assert row.status == Status.SUPPRESSED
    assert outbox == []


def test_p02_marketing_mail_with_consent_carries_one_click_unsubscribe_headers(
        bob, outbox, grant_marketing):
    grant_marketing(bob)
    row = _news(bob)
    row.refresh_from_db()
    assert row.status == Status.SENT
    [message] = outbox
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert f"{url}?lang=en" in message.body
    assert f"{url}?lang=en" in _html(message)
    assert message.anymail_test_params["extra_headers"]["List-Unsubscribe"] == f"<{url}>"
    assert message.anymail_test_params["tags"] == ["marketing_announcement", "marketing"]


def test_p02_consent_withdrawn_between_queueing_and_sending_suppresses_the_email(
        bob, outbox, grant_marketing):
    grant_marketing(bob)
    with broker_unreachable():
        row = _news(bob)
    consent_withdraw(user=bob, purpose="marketing_email", channel="portal")
    outbound_email_send(outbound_email_id=row.pk)
    row.refresh_from_db()
    assert row.status == Status.SUPPRESSED
    assert outbox == []


def test_p19_one_click_post_unsubscribes_and_mandatory_mail_still_arrives_without_headers(
        bob, outbox, grant_marketing):
    grant_marketing(bob)
    _news(bob)
    url = outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    # What a mail provider does (RFC 8058): a bare POST, no cookies, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix("http://127.0.0.1:8000"), data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not consent_is_granted(user=bob, purpose="marketing_email")
    assert ConsentEvent.objects.filter(user=bob, purpose="marketing_email").latest(
        "created_at").channel == "email_link"

    assert _news(bob, cause="release-2-1").status == Status.SUPPRESSED
    notice = _notice(bob)
    notice.refresh_from_db()
    assert notice.status == Status.SENT
    message = outbox[-1]
    assert len(outbox) == 2
    assert "List-Unsubscribe" not in message.extra_headers
    assert "List-Unsubscribe-Post" not in message.extra_headers
    assert "/unsubscribe/" not in message.body
    assert "/unsubscribe/" not in _html(message)


def test_p19_mandatory_mail_to_a_user_who_never_consented_is_sent(alice, outbox):
    _notice(alice).refresh_from_db()
    assert len(outbox) == 1
    assert "List-Unsubscribe" not in outbox[0].extra_headers


@pytest.mark.parametrize(("language", "labels"), [
    ("ja", ["重要なお知らせ", "適用日", "様", "配信を停止することはできません", "CCアーキテクト株式会社"]),
    ("en", ["Administrative notice", "Effective date", "Dear ", "cannot be unsubscribed",
            "CCArchitect Co., Ltd."]),
])
def test_p25_notice_text_and_html_parts_carry_the_key_facts_in_each_language(
        make_user, outbox, language, labels):
    user = make_user(f"user_{language}", language=language)
    _notice(user)
    [message] = outbox
    facts = list(NOTICE[language].values())
    for part in (message.body, _html(message)):
        for expected in [*facts, *labels, user.username]:
            assert expected in part, (expected, part)
    assert NOTICE[language]["title"] in message.subject
    assert labels[0] in message.subject


@pytest.mark.parametrize(("language", "labels"), [
    ("ja", ["お知らせ", "日時", "詳しく見る", "配信はいつでも停止できます", "CCアーキテクト株式会社"]),
    ("en", ["News", "Date", "Learn more", "You can stop it at any time", "CCArchitect Co., Ltd."]),
])
def test_p02_news_text_and_html_parts_carry_the_key_facts_in_each_language(
        make_user, outbox, grant_marketing, language, labels):
    user = grant_marketing(make_user(f"news_{language}", language=language))
    _news(user)
    [message] = outbox
    for part in (message.body, _html(message)):
        for expected in [*NEWS[language].values(), *labels]:
            assert expected in part, (expected, part)
    assert NEWS[language]["headline"] in message.subject


def test_the_text_part_is_not_html_escaped_and_the_html_part_is(alice, outbox):
    queue(kind="administrative_notice", cause="escape", user=alice, context={
        "title": "Q&A <session>", "body": "Tom & Jerry's \"show\" <b>x</b>"})
    [message] = outbox
    assert "Q&A <session>" in message.subject
    assert "Tom & Jerry's \"show\" <b>x</b>" in message.body
    assert "&amp;" not in message.body
    html = _html(message)
    assert "Q&amp;A &lt;session&gt;" in html
    assert "<b>x</b>" not in html


def test_every_email_carries_a_stable_message_id_and_the_outbox_id_as_metadata(alice, outbox):
    row = _notice(alice)
    [message] = outbox
    assert message.extra_headers["Message-ID"] == f"<{row.public_id}@ccucaas.example>"
    assert message.anymail_test_params["metadata"]["outbound_email"] == str(row.public_id)
    assert OutboundEmail.objects.get().provider_message_id == "0"
