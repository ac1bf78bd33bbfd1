# ruff: noqa: RUF001 - Japanese text uses full-width punctuation on purpose.
"""Every email kind, rendered in ja and en, reads as one letter in one language (issue 19 item 11).

Names are deliberately in the other script (a Japanese name in the English render, an English
name in the Japanese one) and are stripped, with the quoted user text, before the checks.
"""

import html as html_lib
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.utils import translation
from django.utils.translation import gettext

from notifications_app.kinds import kinds_all
from notifications_app.rendering import email_render, subject_prefix
from notifications_app.services.campaigns import jst_display

LANGUAGES = ("ja", "en")
SITE = "https://privacy.example:8443"
# The other script on purpose: the check must not depend on a name's alphabet.
NAMES = {"en": "山田 花子", "ja": "Alice Johnson"}
REPRESENTATIVE = {"en": "佐藤 弁護士", "ja": "Bob Smith"}
# Quoted user text (staff replies, campaign texts) is the writer's, in the reader's language.
USER_TEXT = {
    "ja": {"reply_text": "ご請求のデータを削除しました。", "summary": "第3条を改定します。",
           "title": "サービス統合のお知らせ", "headline": "新機能のご案内",
           "body": "メンテナンスを実施します。", "reason": "応答がありません",
           "rejection_reason": "本人確認ができませんでした。", "note": "住所の表記",
           "what_happened": "不正アクセスがありました。", "what_we_did": "パスワードを無効化しました。",
           "what_you_can_do": "パスワードを変更してください。", "processor": "配送センター",
           "campaign": "2027年版ポリシー", "value": "東京都千代田区1-1", "label": "住所"},
    "en": {"reply_text": "We deleted the data you asked about.", "summary": "Article 3 changes.",
           "title": "Merger of services", "headline": "A new feature",
           "body": "We will run maintenance.", "reason": "No answer from the endpoint",
           "rejection_reason": "We could not verify your identity.", "note": "Address format",
           "what_happened": "Someone accessed an account.", "what_we_did": "We reset passwords.",
           "what_you_can_do": "Please change your password.", "processor": "Delivery centre",
           "campaign": "Policy 2027", "value": "1-1 Chiyoda, Tokyo", "label": "Address"},
}
WHEN = datetime(2027, 1, 2, 6, 23, tzinfo=UTC)


def _context(kind: str, language: str, *, name: str) -> dict:
    from requests_app.models import RequestType

    user = USER_TEXT[language]
    with translation.override(language):
        date = jst_display(WHEN, language)
        type_label = str(RequestType("disclosure").label)
        item = {"label": user["label"], "requested_value": user["value"], "note": user["note"]}
        return {
            "site_url": SITE, "recipient_name": name, "language": language,
            "category": "marketing" if kind == "marketing_announcement" else "mandatory",
            "unsubscribe_url": f"{SITE}/notifications/unsubscribe/tok/",
            "reference": "DSR-2027-000123", "type_label": type_label, "type": "disclosure",
            "status": "replied", "status_label": gettext("Replied"),
            "received_at": date, "reply_due_at": date, "reply_due_jst": date, "due_jst": date,
            "effective_due_at": date, "effective_due_jst": date, "expires_at": date,
            "request_expires_at": date, "runs_at": date, "deadline": date, "effective_date": date,
            "event_date": date, "backups_rotated_by": "", "month": "2027-01",
            "detail_path": "/ja/requests/1/", "admin_path": "/admin/requests/1/",
            "download_path": "/requests/1/download/", "verify_path": "/requests/verify/tok/",
            "objection_path": "/requests/object/tok/", "helpdesk_path": "/requests/helpdesk/",
            "new_request_path": "/requests/new/", "report_path": "/admin/report/",
            "code": "123456", "username": "hanako", "new_email": "new@example.com",
            "confirm_url": f"{SITE}/confirm/tok/", "reset_url": f"{SITE}/reset/tok/",
            "sign_in_url": f"{SITE}/sign-in/", "undo_url": f"{SITE}/undo/tok/",
            "policy_url": f"{SITE}/policy/", "close_account_url": f"{SITE}/account/close/",
            "notice_url": f"{SITE}/notices/1/", "url": f"{SITE}/news/1/",
            "action_url": f"{SITE}/act/", "admin_url": f"{SITE}/admin/",
            "helpdesk_email": "privacy@ccucaas.example", "helpdesk_phone": "03-1234-5678",
            "version": 3, "days_before": 7, "days": 7, "hours": 12, "unsent": 2, "stage": "final",
            "representative_name": REPRESENTATIVE[language],
            "representative_kind_label": gettext("Legal representative"),
            "corrections_accepted": [item], "corrections_refused": [item],
            "reply_attachments": [], "package_to_follow": False, "paper_to_follow": False,
            "rows": [], "totals": {}, **user,
        }


class _Visible(HTMLParser):
    """The text a reader sees in the HTML part (no <head>, no markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "style", "script", "title"):
            self._skip += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("head", "style", "script", "title"):
            self._skip -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return html_lib.unescape("".join(parser.parts))


URL = re.compile(r"(https?://|/)[^\s<>()]*")


def normalized_words(text: str) -> list[str]:
    """Words in order, without URLs (a link's address is an href in HTML) and punctuation."""
    text = URL.sub(" ", text)
    return re.findall(r"[\w'’%]+", text)


def strip_quoted(text: str, context: dict, language: str) -> str:
    for value in [NAMES[language], REPRESENTATIVE[language], *USER_TEXT[language].values()]:
        text = text.replace(value, " ")
    return text


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
BRANDS = re.compile(r"CCUCaaS|CCArchitect Co\., Ltd\.|APPI Art\. \d+(\(\d+\))?|ZIP|JST|CSV|PDF")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]+(?:[ ,.'-]+[A-Za-z]+){2,}")


def _rendered(kind: str, language: str):
    context = _context(kind, language, name=NAMES[language])
    return context, email_render(kind=kind, language=language, context=context)


KINDS = [k.name for k in kinds_all()]


def test_every_email_kind_is_covered():
    assert len(KINDS) >= 30  # accounts, requests, notifications, incidents, automation


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_email_reads_in_one_language_with_one_greeting_and_the_prefix(kind, language):
    context, (subject, text, html) = _rendered(kind, language)
    with translation.override(language):
        prefix = subject_prefix()
        greeting = gettext("Dear %(recipient_name)s,") % {"recipient_name": NAMES[language]}
        signature = gettext("CCUCaaS privacy help desk")
    assert subject.startswith(prefix + " ") and subject.count(prefix) == 1, subject
    visible = visible_text(html)
    for part in (text, visible):
        assert part.count(greeting) == 1, part
        assert part.count(signature) == 1, part
        assert "Hello ," not in part and "こんにちは" not in part
        assert not part.rstrip().endswith("--"), part
    for part in (subject, text, visible):
        rest = BRANDS.sub(" ", strip_quoted(URL.sub(" ", part), context, language))
        rest = re.sub(r"[\w.+-]+@[\w.-]+", " ", rest)  # addresses
        if language == "en":
            assert not JAPANESE.findall(rest), (kind, JAPANESE.findall(rest), part)
        else:
            assert part is subject or JAPANESE.search(rest), part
            assert not ENGLISH_RUN.findall(rest), (kind, ENGLISH_RUN.findall(rest), part)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_email_text_and_html_parts_carry_the_same_content(kind, language):
    _context, (_subject, text, html) = _rendered(kind, language)
    with translation.override(language):
        masthead = gettext("CCUCaaS Privacy")  # the HTML layout's banner row, not content
    visible = visible_text(html).strip().removeprefix(masthead)
    assert normalized_words(text) == normalized_words(visible)


@pytest.mark.parametrize("language", LANGUAGES)
def test_email_without_a_known_name_greets_neutrally_once(language):
    context = _context("request_received", language, name="")
    _subject, text, html = email_render(kind="request_received", language=language,
                                        context=context)
    neutral = {"ja": "お客様", "en": "Hello,"}[language]
    assert text.count(neutral) == 1 and visible_text(html).count(neutral) == 1
    assert "Dear" not in text and " 様" not in text
