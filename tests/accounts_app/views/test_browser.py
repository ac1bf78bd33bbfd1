"""P01, P10, P11 through the real pages in headless chromium."""

import time

import pytest

from accounts_app.models import PersistentLogin, User, VisitorLog
from consent_app.selectors import consent_is_granted


@pytest.mark.browser
def test_p01_p11_sign_up_then_sign_in_with_keep_me_signed_in_through_the_real_pages(browser_page):
    page = browser_page
    page.goto(page.base_url + "/")
    page.click("text=アカウント登録")
    page.fill("#id_username", "hanako")
    page.fill("#id_email", "hanako@example.jp")
    page.fill("#id_password", "correct-horse-battery-42")
    page.check("#id_consent_cross_border_storage")
    page.click("button:has-text('アカウントを作成')")
    # Without accepting the policy no account is created, and the page says why.
    assert page.locator("text=プライバシーポリシーへの同意が必要です").is_visible()
    assert not User.objects.filter(username="hanako").exists()

    page.fill("#id_password", "correct-horse-battery-42")
    page.check("#id_accept_policy")
    page.check("#id_consent_cross_border_storage")
    page.click("button:has-text('アカウントを作成')")
    # Issue 17: not signed in by sign-up; the same answer as for a registered address.
    page.wait_for_url("**/sign-up/sent/")
    assert page.locator("h1").inner_text() == "メールをご確認ください"
    user = User.objects.get(username="hanako")
    assert consent_is_granted(user=user, purpose="cross_border_storage")

    page.click("text=サインイン")
    assert page.locator("#cookies-blocked-note").is_hidden()  # cookies work here
    page.fill("#id_username", "HANAKO")
    page.fill("#id_password", "correct-horse-battery-42")
    page.check("#id_remember_me")
    page.click("form#sign-in-form button[type=submit]")
    page.wait_for_url("**/account/")
    page.wait_for_load_state("networkidle")  # no request still in flight when the test ends
    assert "このブラウザー" in page.content()

    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    days = (session["expires"] - time.time()) / 86400
    assert 29.9 < days <= 30
    login = PersistentLogin.objects.get(user=user)
    assert login.browser.startswith(("Chrome", "HeadlessChrome", "Chromium"))
    assert login.os == "Linux"
    # P10: the portal told the server the browser's time zone.
    assert VisitorLog.objects.filter(user=user, time_zone="Asia/Tokyo").exists()

