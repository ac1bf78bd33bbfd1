"""A real browser files a disclosure request through the portal and sees its due date (P21)."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from ccucaas_privacy import clock
from requests_app.models import DataSubjectRequest


def _sign_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    host = urlparse(page.base_url).hostname
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "domain": host, "path": "/"}])


@pytest.mark.browser
def test_p21_disclosure_filed_in_the_portal_shows_its_due_date_in_jst(browser_page, make_user):
    page = browser_page
    user = make_user("hanako", language="ja")
    _sign_in(page, user)
    page.goto(page.base_url + "/requests/new/")
    page.get_by_role("link", name="開示").click()
    page.locator("#id_note").fill("保有個人データをすべて開示してください 🙏")
    page.locator("#id_password").fill("correct-horse-battery-42")
    page.get_by_role("button", name="請求する").click()
    page.wait_for_url("**/requests/*-*/")
    req = DataSubjectRequest.objects.get(subject=user)
    expected = clock.to_jst(clock.reply_due_at(req.received_at)).strftime("%Y-%m-%d 00:00 JST")
    assert page.locator("#reply-due").inner_text() == expected
    assert req.reference in page.content()
    assert "保有個人データをすべて開示してください 🙏" in page.content()
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="請求一覧").click()
    assert expected in page.locator("table").inner_text()
