"""The portal's journeys in a real browser, in Japanese and English (issue 19): navigation that
shows where you are, the privacy-center home, filing a request, its honest progress (the page
refreshes itself while the package is built), withdrawing with a confirmation step, consents by
their labels, the progressive help-desk form, sign-up errors in one round, the styled 404; and
on every portal page axe-core finds nothing serious or critical at 1280 px and 390 px and no
element overflows at 390 px (tables scroll inside their own wrapper, by design)."""

import re

import pytest
from django.utils import translation

from ccucaas_privacy.celery import app as celery_app
from requests_app.models import DataSubjectRequest, Status
from requests_app.services import packages, transitions
from tests.ccucaas_privacy.browser.conftest import check_page, sign_in
from tests.requests_app.conftest import decide_all, file_portal

pytestmark = pytest.mark.browser
LANGS = {"ja": "", "en": "/en"}
TEXT = {
    "ja": {"home": "プライバシーセンター", "requests": "請求一覧", "file": "請求する",
           "consents": "同意の管理", "help": "相談窓口", "sign_in": "サインイン",
           "withdraw": "この請求を取り下げる", "confirm": "はい、取り下げます", "keep": "いいえ、取り下げません",
           "withdrawn": "取り下げ", "not_found": "ページが見つかりません", "preparing": "開示データを準備中",
           "ready": "ダウンロード可能", "send": "送信", "sign_up": "アカウントを作成",
           "storage": "国外"},
    "en": {"home": "Privacy center", "requests": "My requests", "file": "File a request",
           "consents": "Consents", "help": "Help desk", "sign_in": "Sign in",
           "withdraw": "Withdraw this request", "confirm": "Yes, withdraw the request",
           "keep": "No, keep it", "withdrawn": "Withdrawn", "not_found": "Page not found",
           "preparing": "Preparing your data", "ready": "Ready to download", "send": "Send",
           "sign_up": "Create account", "storage": "outside Japan"},
}


def _nav(page):
    return page.get_by_role("navigation", name=re.compile("^(Main|メイン)$"))


def _current(page) -> str:
    return _nav(page).locator('[aria-current="page"]').inner_text().strip()


@pytest.mark.parametrize("lang", LANGS)
def test_visitor_home_help_desk_and_404(portal, lang):
    page, prefix, t = portal, LANGS[lang], TEXT[lang]
    page.goto(page.base_url + prefix + "/")
    assert page.locator("html").get_attribute("lang") == lang
    assert _current(page) == t["home"]
    cards = page.locator("#privacy-center a")
    hrefs = [cards.nth(i).get_attribute("href") for i in range(cards.count())]
    assert hrefs == [f"{prefix}/sign-in/", f"{prefix}/sign-up/", f"{prefix}/help-desk/", f"{prefix}/policy/"]
    assert page.locator('a[href^="/admin"], a[href^="/api/docs"]').count() == 0
    assert page.locator('link[rel="icon"]').get_attribute("href").endswith("favicon.svg")

    _nav(page).get_by_role("link", name=t["help"]).click()
    assert _current(page) == t["help"]
    inquiry, correction = page.locator("#group-inquiry"), page.locator("#group-correction")
    assert not inquiry.is_visible() and not correction.is_visible()  # nothing chosen yet
    page.select_option("#id_type", "correction")
    assert correction.is_visible() and not inquiry.is_visible()
    page.select_option("#id_type", "inquiry")
    assert inquiry.is_visible() and not correction.is_visible()
    page.fill("#id_name", "山田 太郎")
    page.fill("#id_email", "taro@example.jp")
    page.fill("#id_subject", "退会後のデータ")
    page.fill("#id_message", "どう扱われますか。")
    page.get_by_role("button", name=t["send"], exact=True).click()
    notice = page.locator("#sent-notice").inner_text()
    assert "taro@example.jp" in notice and "24" in notice
    filed = DataSubjectRequest.objects.get(subject_email="taro@example.jp")
    assert filed.details == {"subject": "退会後のデータ", "message": "どう扱われますか。"}

    response = page.goto(page.base_url + prefix + "/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == t["not_found"]
    assert page.locator('link[rel="stylesheet"]').count() == 1
    assert "Using the URLconf" not in page.content()


@pytest.mark.parametrize("lang", LANGS)
def test_sign_up_shows_every_error_in_one_round_and_keeps_what_was_typed(portal, lang):
    page, prefix, t = portal, LANGS[lang], TEXT[lang]
    page.goto(page.base_url + prefix + "/sign-up/")
    page.fill("#id_username", "newcomer")
    page.fill("#id_email", "newcomer@example.jp")
    page.fill("#id_password", "123")
    page.get_by_role("button", name=t["sign_up"], exact=True).click()
    errors = page.locator(".errorlist")
    # weak password, policy not accepted, storage abroad not consented: all at once
    for field in ("password", "accept_policy", "consent_cross_border_storage"):
        assert page.locator(f"#id_{field}_error").count() == 1, field
    assert errors.count() == 3
    assert page.input_value("#id_username") == "newcomer"
    assert page.input_value("#id_email") == "newcomer@example.jp"


@pytest.mark.parametrize("lang", LANGS)
def test_signed_in_journey_file_follow_withdraw_and_consents(portal, make_user, lang):
    page, prefix, t = portal, LANGS[lang], TEXT[lang]
    user = make_user("hanako", language=lang)
    sign_in(page, user)
    page.goto(page.base_url + prefix + "/")
    cards = page.locator("#privacy-center a")
    assert cards.count() == 6
    assert page.locator('a[href^="/admin"], a[href^="/api/docs"]').count() == 0

    _nav(page).get_by_role("link", name=t["file"]).click()
    assert _current(page) == t["file"]
    page.locator('#request-types a[href$="/inquiry/"]').click()
    page.fill("#id_subject", "利用目的")
    page.fill("#id_message", "閲覧履歴は何に使われますか。")
    page.locator('form.form-card button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/requests/[0-9a-f-]{36}/$"))
    assert _current(page) == t["requests"]  # a request's page belongs to "My requests"
    assert page.locator('#progress [data-step="reply"][data-state="current"]').count() == 1
    days = page.locator("#days-left").inner_text()
    assert "30" in days and "31" not in days
    assert "閲覧履歴は何に使われますか。" in page.locator("#request-details").inner_text()

    page.get_by_role("link", name=t["withdraw"]).click()
    page.get_by_role("link", name=t["keep"]).click()  # the confirmation step can be left
    req = DataSubjectRequest.objects.get(subject=user)
    assert req.status == Status.RECEIVED
    page.get_by_role("link", name=t["withdraw"]).click()
    page.fill("#id_reason", "自己解決しました")
    page.get_by_role("button", name=t["confirm"]).click()
    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN
    assert page.locator("#status").inner_text() == t["withdrawn"]
    assert "自己解決しました" in page.locator("#timeline").inner_text()

    _nav(page).get_by_role("link", name=t["consents"]).click()
    assert _current(page) == t["consents"]
    purposes = page.locator("table.consents").inner_text()
    assert t["storage"] in purposes and "cross_border_storage" not in purposes


@pytest.mark.parametrize("lang", LANGS)
def test_disclosure_progress_refreshes_itself_until_the_package_is_ready(portal, make_user, lang):
    page, prefix, t = portal, LANGS[lang], TEXT[lang]
    user = make_user("taro", language=lang)
    officer = make_user("officer", email="officer@ccucaas.example", is_superuser=True)
    req = file_portal(user, "disclosure")
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    # The reply queues the package build on an in-memory broker with no worker yet: the
    # package is "being prepared" until the worker's job (called below) runs.
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, "memory://"
    try:
        transitions.request_reply(request=req, actor=officer, text="開示データを準備しています。")
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
    sign_in(page, user)
    page.goto(page.base_url + prefix + f"/requests/{req.pk}/")
    assert page.locator("[data-refresh]").count() == 1
    assert page.locator('[data-step="preparing"]').get_attribute("data-state") == "current"
    assert t["preparing"] in page.locator("#progress").inner_text()
    with translation.override(lang):
        packages.disclosure_package_build(request=DataSubjectRequest.objects.get(pk=req.pk))
    # No click: the page reloads itself (site.js, every 10 s while data-refresh is present).
    page.locator("#package").wait_for(timeout=25_000)
    assert page.locator('[data-step="ready"]').get_attribute("data-state") == "done"
    assert page.locator("[data-refresh]").count() == 0
    with page.expect_download() as download:
        page.locator("#package a").click()
    assert download.value.suggested_filename.endswith(".zip")
    page.reload()
    assert page.locator('[data-step="downloaded"]').get_attribute("data-state") == "done"
    times = page.locator("#timeline li time").evaluate_all("els => els.map(e => e.dateTime)")
    assert len(times) >= 4 and times == sorted(times)  # in the order things happened


@pytest.mark.parametrize("lang", LANGS)
def test_no_serious_accessibility_violation_nor_overflow_on_any_portal_page(portal, make_user, lang):
    page, prefix = portal, LANGS[lang]
    problems: dict = {}
    for path in ("/", "/sign-in/", "/sign-up/", "/help-desk/", "/policy/", "/policy/history/",
                 "/password-reset/", "/retention/", "/no-such-page/"):
        check_page(page, prefix + path, problems)
    user = make_user("hanako", language=lang)
    officer = make_user("officer", email="officer@ccucaas.example", is_superuser=True)
    replied = file_portal(user, "correction")
    decide_all(replied, staff=officer)
    transitions.request_reply(request=replied, actor=officer, text="訂正しました。")
    sign_in(page, user)
    for path in ("/", "/requests/", "/requests/new/", "/requests/new/disclosure/",
                 "/requests/new/correction/", "/requests/new/deletion/", "/requests/new/inquiry/",
                 "/requests/new/stop_use/", "/requests/new/stop_provision/",
                 "/requests/new/purpose_notice/", "/notices/", f"/requests/{replied.pk}/",
                 "/account/", "/account/profile/", "/account/contacts/", "/account/files/",
                 "/account/posts/", "/account/close/", "/account/consents/", "/policy/",
                 "/help-desk/"):
        check_page(page, prefix + path, problems)
    open_request = file_portal(user, "inquiry")
    check_page(page, prefix + f"/requests/{open_request.pk}/", problems)
    check_page(page, prefix + f"/requests/{open_request.pk}/withdraw/", problems)
    assert problems == {}
    assert page.console_errors == []  # nothing refused by the CSP, no script error
