"""A support agent signs in to the admin with a TOTP code in a real browser, filters the
requests due within 7 days, opens one (giving the P18 reason) and sends the reply (P21)."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from accounts_app.models import StaffAccess
from ccucaas_privacy import clock
from requests_app.models import DataSubjectRequest, RequestType, Status
from tests.accounts_app.staff import staff_device, totp_code
from tests.requests_app.conftest import file_portal

pytestmark = [pytest.mark.rule("P21"), pytest.mark.rule("P18")]


@pytest.mark.browser
def test_p21_support_agent_triages_and_replies_in_the_admin(browser_page, make_user, tmp_path):
    page = browser_page
    agent = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    agent.groups.add(Group.objects.get(name="Support agent"))
    device = staff_device(agent)
    alice, bob = make_user("alice"), make_user("bob")
    due_soon = file_portal(alice, RequestType.DISCLOSURE, now=clock.now() - timedelta(days=25))
    due_later = file_portal(bob, RequestType.DISCLOSURE, now=clock.now() - timedelta(days=5))

    page.goto(page.base_url + "/admin/")
    page.locator("#id_username").fill("agent")
    page.locator("#id_password").fill("correct-horse-battery-42")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/staff/two-factor/**")
    page.screenshot(path=str(tmp_path / "1-second-step.png"))
    page.locator("#id_token").fill(totp_code(device, at=time.time() + device.step))
    page.locator("input[type=submit]").click()
    page.wait_for_url(page.base_url + "/admin/")

    page.goto(page.base_url + "/admin/requests_app/datasubjectrequest/")
    page.get_by_role("link", name="7日以内に期限").click()
    page.wait_for_url("**deadline=7d**")
    listing = page.locator("#result_list").inner_text()
    assert due_soon.reference in listing and due_later.reference not in listing
    assert page.locator("#result_list .badge-amber").count() == 1
    page.screenshot(path=str(tmp_path / "2-due-in-7-days.png"), full_page=True)

    page.get_by_role("link", name=due_soon.reference).click()
    page.wait_for_url("**/staff/access-reason/**")
    page.locator("#id_reason").fill("電話でのお問い合わせへの対応")
    page.screenshot(path=str(tmp_path / "3-reason.png"))
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/change/**")
    reply = page.locator("#reply-text")
    assert "開示のご請求" in reply.input_value()
    reply.fill(reply.input_value() + "\n\n保有データ一覧を添付します。")
    page.screenshot(path=str(tmp_path / "4-reply.png"), full_page=True)
    page.get_by_role("button", name="回答を送信").click()
    page.wait_for_url("**/act/reply/**")  # an irreversible step is confirmed first (issue 19)
    assert "保有データ一覧を添付します。" in page.locator("#confirm-text").inner_text()
    page.get_by_role("button", name="はい、回答を送信します").click()
    page.wait_for_url("**/change/**")
    assert "回答を送信しました" in page.locator(".messagelist").inner_text()
    page.screenshot(path=str(tmp_path / "5-replied.png"), full_page=True)

    req = DataSubjectRequest.objects.get(pk=due_soon.pk)
    # A disclosure is completed once its package is ready, not by the reply (issue 19).
    assert req.status in (Status.REPLIED, Status.COMPLETED)
    assert req.reply_text.endswith("保有データ一覧を添付します。")
    assert req.events.get(action="reply").actor == agent
    views = StaffAccess.objects.filter(staff=agent)  # opening, and the page after the reply
    assert {(v.subject, v.reason) for v in views} == {(alice, "電話でのお問い合わせへの対応")}
    assert views.count() == 2
    assert all((tmp_path / f).exists() for f in ("1-second-step.png", "5-replied.png"))
