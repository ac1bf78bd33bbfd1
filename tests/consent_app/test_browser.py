"""Real browser (Debian chromium via Playwright): one-click withdrawal and a GPC signal."""

import json

import pytest
from django.conf import settings
from django.test import Client

from consent_app import selectors, services
from consent_app.models import ConsentEvent

pytestmark = pytest.mark.browser


def _sign_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": page.base_url}])


def test_p02_withdraw_marketing_with_one_click_in_account_settings(browser_page, alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="signup")
    page = browser_page
    _sign_in(page, alice)
    page.goto(page.base_url + "/account/consents/")
    row = page.locator('tr[data-purpose="marketing_email"]')
    row.get_by_role("button", name="撤回する").click()
    page.wait_for_url("**/account/consents/")
    assert "同意を撤回しました" in page.content()
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    event = ConsentEvent.objects.filter(user=alice).first()
    assert (event.action, event.channel) == ("withdrawn", "portal")
    assert "Chrome" in event.user_agent
    page.locator('tr[data-purpose="marketing_email"]').get_by_role("button",
                                                                  name="同意する").click()
    page.wait_for_url("**/account/consents/")
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")


def test_p12_browser_sending_sec_gpc_withdraws_analytics_once(browser_page, alice):
    services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
    page = browser_page
    page.context.set_extra_http_headers({"Sec-GPC": "1"})
    _sign_in(page, alice)
    page.goto(page.base_url + "/account/consents/")
    page.reload()
    assert ConsentEvent.objects.filter(user=alice, channel="gpc").count() == 1
    assert not selectors.consent_is_granted(user=alice, purpose="analytics_tracking")
    body = page.goto(page.base_url + "/.well-known/gpc.json")
    assert json.loads(body.text())["gpc"] is True
