"""The whole promise in a real browser (P01, P04, P18, P21): a person signs up and stores a
contact, asks for disclosure; a privacy officer signs in to the admin with a TOTP code, confirms
the identity and replies; the real worker builds the package and the person downloads a ZIP
that holds their contact. Then they ask for deletion, the officer approves and replies, the
worker erases, and the person can no longer sign in."""

import io
import time
import zipfile

import pytest
from django.contrib.auth.models import Group

from accounts_app.models import User
from requests_app.models import DataSubjectRequest, DisclosurePackage, RequestType, Status
from tests.accounts_app.staff import staff_device, totp_code
from tests.conftest import storage_shared_with_worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.rule("P21"),
              pytest.mark.rule("P18")]

PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def shared_dirs(settings, tmp_path, monkeypatch):
    """The live server (this process) and the worker read and write the same folders."""
    storage_shared_with_worker(settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path)


def _submit(page) -> None:
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()


def _staff_page(page, officer, device):
    staff = page.context.browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    staff.set_default_timeout(15_000)
    staff.goto(page.base_url + "/admin/")
    staff.locator("#id_username").fill(officer.username)
    staff.locator("#id_password").fill(PASSWORD)
    staff.locator("input[type=submit]").click()
    staff.wait_for_url("**/staff/two-factor/**")
    staff.locator("#id_token").fill(totp_code(device, at=time.time() + device.step))
    staff.locator("input[type=submit]").click()
    staff.wait_for_url(page.base_url + "/admin/")
    return staff


def _open_request(staff, request) -> None:
    staff.goto(f"{staff.url.split('/admin/')[0]}/admin/requests_app/datasubjectrequest/"
               f"{request.pk}/change/")
    if "/staff/access-reason/" in staff.url:  # P18: why open this person's data
        staff.locator("#id_reason").fill("開示・削除請求への対応")
        staff.locator("input[type=submit]").click()
        staff.wait_for_url("**/change/**")


def _reply(staff, text: str) -> None:
    reply = staff.locator("#reply-text")
    reply.fill(reply.input_value() + "\n\n" + text)
    staff.locator("input[name=reply]").click()
    staff.wait_for_url("**/act/reply/**")  # an irreversible step is confirmed first (issue 19)
    assert text in staff.locator("#confirm-text").inner_text()
    staff.locator("#content-main form input[type=submit]").click()
    staff.wait_for_url("**/change/**")


def _require_postgresql() -> None:
    """The live server, its visitor log and the worker write at once: SQLite answers
    "database is locked" to a writer it cannot queue, and a lost task waits for beat."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): concurrent writers")


def _wait(worker, predicate, what: str) -> None:
    try:
        wait_for(predicate, timeout=90, what=what)
    except AssertionError as exc:
        from requests_app.models import Propagation

        state = list(Propagation.objects.values_list("source", "status", "attempts", "last_error"))
        raise AssertionError(f"{exc}\n{state}\n{worker.log()[-6000:]}") from None


def test_p21_sign_up_disclose_download_then_delete_and_the_account_is_gone(
        shared_dirs, live_worker, browser_page, make_user):
    _require_postgresql()
    page = browser_page
    officer = make_user("po", email="po@ccucaas.example", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    device = staff_device(officer)

    # Sign up (P01) and store a contact (P04).
    page.goto(page.base_url + "/en/sign-up/")
    page.fill("#id_username", "kenji")
    page.fill("#id_email", "kenji@example.jp")
    page.fill("#id_password", PASSWORD)
    page.check("#id_accept_policy")
    page.check("#id_consent_cross_border_storage")
    page.locator("#sign-up-form button[type=submit]").click()
    page.wait_for_url("**/sign-up/sent/")  # issue 17: sign-up does not sign in
    page.goto(page.base_url + "/en/sign-in/")
    page.fill("#id_username", "kenji")
    page.fill("#id_password", PASSWORD)
    page.locator("form#sign-in-form button[type=submit]").click()
    page.wait_for_url("**/account/")
    user = User.objects.get(username="kenji")
    page.goto(page.base_url + "/en/account/contacts/new/")
    page.fill("#id_name", "Keiko Contact")
    page.fill("#id_email", "keiko@example.org")
    _submit(page)
    page.wait_for_url("**/account/contacts/")

    # Ask for disclosure (P21).
    page.goto(page.base_url + "/en/requests/new/disclosure/")
    page.fill("#id_password", PASSWORD)
    _submit(page)
    disclosure = wait_for(lambda: DataSubjectRequest.objects.filter(
        subject=user, type=RequestType.DISCLOSURE).first(), what="the disclosure request")
    page.wait_for_url(f"**/requests/{disclosure.pk}/")

    # The officer confirms the identity and replies in the admin (P18: reason, 2FA).
    staff = _staff_page(page, officer, device)
    _open_request(staff, disclosure)
    if staff.locator("#verify-note").count():
        staff.locator("#verify-note").fill("Signed in to the portal")
        staff.locator("input[name=verify_identity]").click()
        staff.wait_for_url("**/change/**")
    _reply(staff, "保有個人データを開示します。")
    disclosure.refresh_from_db()
    assert disclosure.replied_at is not None

    # The real worker builds the package; the person downloads it.
    _wait(live_worker, lambda: DisclosurePackage.objects.filter(request=disclosure).exists(),
          "the worker to build the package")
    page.goto(page.base_url + f"/en/requests/{disclosure.pk}/")
    with page.expect_download() as download:
        page.locator("#package a").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert "Keiko Contact" in archive.read("contacts.csv").decode("utf-8-sig")

    # Deletion: filed, approved and replied to; the worker erases; no sign-in any more.
    page.goto(page.base_url + "/en/requests/new/deletion/")
    page.fill("#id_password", PASSWORD)
    _submit(page)
    deletion = wait_for(lambda: DataSubjectRequest.objects.filter(
        subject=user, type=RequestType.DELETION).first(), what="the deletion request")
    _open_request(staff, deletion)
    if staff.locator("#verify-note").count():
        staff.locator("#verify-note").fill("Signed in to the portal")
        staff.locator("input[name=verify_identity]").click()
        staff.wait_for_url("**/change/**")
    staff.locator("input[name=deletion_approve]").click()
    staff.wait_for_url("**/change/**")
    _reply(staff, "ご請求のとおり削除します。")
    _wait(live_worker,
          lambda: DataSubjectRequest.objects.get(pk=deletion.pk).status == Status.COMPLETED,
          "the worker to erase the account")

    page.goto(page.base_url + "/en/account/")
    page.wait_for_url("**/sign-in/**")  # the session ended with the account
    page.fill("#id_username", "kenji")
    page.fill("#id_password", PASSWORD)
    page.click("form#sign-in-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/sign-in/" in page.url
    assert "Please enter a correct username and password" in page.locator("main").inner_text()
    assert not User.objects.filter(username="kenji", is_active=True).exists()
    staff.context.close()
