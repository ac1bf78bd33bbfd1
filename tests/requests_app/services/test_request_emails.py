"""Every request email exists in Japanese and English and says what happened (P21, P26)."""

import pytest
from django.core import mail

from notifications_app.kinds import Category, kind_get
from notifications_app.rendering import email_render
from requests_app.services import transitions as services
from requests_app.services.notify import KINDS, _context
from tests.requests_app.conftest import T0, file_portal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_registered_as_mandatory(kind):
    assert kind_get(kind).category == Category.MANDATORY


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_both_languages(kind, language, alice, officer):
    req = file_portal(alice, "deletion", now=T0)
    req = services.request_reply(request=req, actor=officer, text="削除しました <b>確認</b>", now=T0)
    context = _context(req, language) | {
        "site_url": "https://privacy.example", "recipient_name": "アリス", "code": "123456",
        "verify_path": "/requests/verify/tok/", "expires_at": "2026-11-30 10:00 JST",
        "admin_path": "/admin/x/",
    }
    subject, text, html = email_render(kind=kind, language=language, context=context)
    assert req.reference in subject
    assert req.reference in text and req.reference in html
    if kind == "request_replied":
        assert "削除しました <b>確認</b>" in text
        assert "削除しました &lt;b&gt;確認&lt;/b&gt;" in html
    if kind == "request_verification":
        assert "123456" in text and "123456" in html
    if language == "ja":
        assert any("\u3040" <= ch <= "\u30ff" for ch in subject), subject


def test_p21_receipt_email_in_the_users_language_shows_the_due_date_in_jst(
        alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_portal(alice, "disclosure", now=T0)
        file_portal(bob, "disclosure", now=T0)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    ja, en = by_recipient["alice@example.jp"], by_recipient["bob@example.com"]
    assert "2026-12-30 00:00 JST" in ja.body and "2026-12-30 00:00 JST" in en.body
    assert "受け付けました" in ja.subject
    assert "We received your request" in en.subject


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_emails_link_to_the_requests_page_in_the_active_language(language, alice):
    from django.urls import reverse, set_script_prefix
    from django.utils import translation

    req = file_portal(alice, "disclosure", now=T0)
    for prefix in ("/", "/privacy/"):
        set_script_prefix(prefix)
        try:
            with translation.override(language):
                expected = reverse("requests:detail", kwargs={"pk": req.pk})
            assert _context(req, language)["detail_path"] == expected
            assert expected.startswith(prefix) and str(req.pk) in expected
        finally:
            set_script_prefix("/")
