"""An officer records an incident in the admin in a real browser (TOTP sign-in), fills in and
submits the preliminary report, and sees the final-report deadline (issue 22; APPI-26, P18)."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from accounts_app.models import StaffAccess
from ccucaas_privacy import clock
from incidents_app.models import Incident
from tests.accounts_app.staff import staff_device, totp_code


@pytest.mark.browser
@pytest.mark.rule("APPI-26")
def test_appi26_officer_records_an_incident_and_submits_the_preliminary_report(
        browser_page, make_user, tmp_path):
    page = browser_page
    officer = make_user("po", email="po@ccucaas.example", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    device = staff_device(officer)
    make_user("alice")
    known = clock.to_jst(clock.now() - timedelta(hours=1))

    page.goto(page.base_url + "/admin/")
    page.locator("#id_username").fill("po")
    page.locator("#id_password").fill("correct-horse-battery-42")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/staff/two-factor/**")
    page.locator("#id_token").fill(totp_code(device, at=time.time() + device.step))
    page.locator("input[type=submit]").click()
    page.wait_for_url(page.base_url + "/admin/")

    page.goto(page.base_url + "/admin/incidents_app/incident/add/")
    page.locator("#id_title").fill("顧客DBへの不正アクセス")
    page.locator("#id_known_at").fill(known.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_reported_by").fill("情報システム部 山田")
    page.locator("#id_description").fill("外部から顧客DBへの不正アクセスを検知した")
    page.locator("#id_data_items").fill("メールアドレス\n氏名")
    page.locator("#id_affected_usernames").fill("alice")
    page.locator("#id_unlawful_intent").check()
    page.screenshot(path=str(tmp_path / "1-record.png"), full_page=True)
    page.locator("#incident-form input[type=submit]").click()
    page.wait_for_url("**/staff/access-reason/**")
    page.locator("#id_reason").fill("漏えい事案の対応")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/change/**")

    incident = Incident.objects.get()
    assert incident.reportable and incident.unlawful_intent
    page.locator("#stage-preliminary a.button").click()
    page.wait_for_url("**/report/preliminary/**")
    assert page.locator("#id_data_items").input_value() == "メールアドレス、氏名"
    page.locator("#id_summary").fill("不正アクセスにより顧客のメールアドレス等が漏えいしたおそれ")
    page.locator("#id_people_count").fill("1")
    page.locator("#id_cause").fill("調査中")
    page.screenshot(path=str(tmp_path / "2-preliminary.png"), full_page=True)
    page.locator("input[name=submit]").click()
    page.wait_for_url("**/change/**")

    final_due = clock.to_jst(clock.leak_final_due_at(incident.known_at, malicious=True))
    text = page.locator("#stage-final").inner_text()
    assert final_due.strftime("%Y-%m-%d %H:%M") in text
    assert "提出" in page.locator("#stage-preliminary").inner_text()
    page.screenshot(path=str(tmp_path / "3-deadlines.png"), full_page=True)
    incident.refresh_from_db()
    assert incident.preliminary_submitted_at is not None
    assert incident.reports.get(stage="preliminary").submitted_by == officer
    assert StaffAccess.objects.filter(staff=officer, reason="漏えい事案の対応").exists()
