"""Issue 17 row 3, repeated over real HTTP (live_server, `requests`): a stolen token dies with a
password change, a password reset, "sign out everywhere" and deactivation; the email address
changes only with the password and after the new address confirms; the old address can undo;
a password reset never goes to an unconfirmed address."""

import re

import pytest
import requests
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts_app.models import AccountSession, ApiToken, EmailChange, PersistentLogin, User
from ccucaas_privacy import clock
from notifications_app.models import OutboundEmail
from tests.accounts_app.conftest import PASSWORD
from tests.hardening.services import csrf_post

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.rule("P11")]

NEW_PASSWORD = "another-horse-battery-43"


def _steal(live_server, username="alice") -> dict:
    response = requests.post(f"{live_server.url}/api/v1/auth/token/", timeout=30,
                             json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Token {response.json()['token']}"}


def _me(live_server, headers) -> requests.Response:
    return requests.get(f"{live_server.url}/api/v1/accounts/me/", headers=headers, timeout=30)


def _browser(live_server, *, remember=False) -> requests.Session:
    browser = requests.Session()
    data = {"username": "alice", "password": PASSWORD, **({"remember_me": "on"} if remember else {})}
    assert csrf_post(browser, f"{live_server.url}/en/sign-in/", data).status_code == 302
    return browser


def _signed_in(live_server, browser) -> bool:
    page = browser.get(f"{live_server.url}/en/account/", timeout=30, allow_redirects=False)
    return page.status_code == 200


def test_row3_password_change_ends_the_stolen_token_and_other_browsers_not_this_one(
        live_server, alice):
    stolen = _steal(live_server)
    other = _browser(live_server, remember=True)
    mine = _browser(live_server)
    changed = csrf_post(mine, f"{live_server.url}/en/account/password/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert changed.status_code == 302
    assert _me(live_server, stolen).status_code == 401
    assert not ApiToken.objects.filter(user=alice).exists()
    assert not _signed_in(live_server, other)
    assert PersistentLogin.objects.get(user=alice).revoked_reason == "password_changed"
    assert _signed_in(live_server, mine)


def test_row3_password_reset_ends_the_stolen_token(live_server, alice):
    stolen = _steal(live_server)
    other = _browser(live_server)
    alice.refresh_from_db()  # the link is made after the last sign-in, as the email would be
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    browser = requests.Session()
    form = browser.get(f"{live_server.url}/en/password-reset/{uid}/{token}/", timeout=30)
    assert form.status_code == 200
    done = browser.post(form.url, timeout=30, allow_redirects=False, data={
        "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
    assert done.status_code == 302, done.text[:500]
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert _me(live_server, stolen).status_code == 401
    assert not _signed_in(live_server, other)


def test_row3_sign_out_everywhere_ends_tokens_sessions_and_kept_logins_but_this_browser(
        live_server, alice):
    stolen = _steal(live_server)
    kept = _browser(live_server, remember=True)
    mine = _browser(live_server)
    page = mine.get(f"{live_server.url}/en/account/", timeout=30)
    assert "sign-out-everywhere" in page.text
    response = mine.post(f"{live_server.url}/en/account/sign-out-everywhere/", timeout=30,
                         allow_redirects=False,
                         data={"csrfmiddlewaretoken": mine.cookies["csrftoken"]})
    assert response.status_code == 302
    assert _me(live_server, stolen).status_code == 401
    assert not _signed_in(live_server, kept)
    assert _signed_in(live_server, mine)
    assert AccountSession.objects.filter(user=alice).count() == 1
    # The API form of it, with a token.
    other = _steal(live_server)
    assert requests.post(f"{live_server.url}/api/v1/auth/token/revoke-all/", headers=other,
                         timeout=30).status_code == 204
    assert _me(live_server, other).status_code == 401
    assert not _signed_in(live_server, mine)


def test_row3_deactivation_ends_every_token_and_session(live_server, alice):
    from accounts_app.services.accounts import account_close

    stolen = _steal(live_server)
    browser = _browser(live_server)
    account_close(user=alice, channel="portal")
    assert _me(live_server, stolen).status_code == 401
    assert not _signed_in(live_server, browser)
    assert not ApiToken.objects.filter(user=alice).exists()


def test_row3_stolen_token_cannot_change_the_email_without_the_password(live_server, alice):
    stolen = _steal(live_server)
    response = requests.patch(f"{live_server.url}/api/v1/accounts/me/", headers=stolen,
                              json={"email": "mallory@example.net"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["code"] == "reauthentication_required"
    wrong = requests.patch(f"{live_server.url}/api/v1/accounts/me/", headers=stolen, timeout=30,
                           json={"email": "mallory@example.net", "password": "guess"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_password"
    alice.refresh_from_db()
    assert alice.email == "alice@example.jp"
    assert not EmailChange.objects.exists()
    assert not OutboundEmail.objects.exists()


def _link(to: str, name: str) -> str:
    """The path of the email-change link in the email sent to `to`."""
    [message] = [m for m in mail.outbox if m.to == [to] and f"/{name}/" in m.body]
    return re.search(rf"https?://[^/\s]+(/\S*email-change/\S+/{name}/)", message.body)[1]


def test_row3_email_changes_only_after_the_new_address_confirms_and_the_old_one_can_undo(
        live_server, alice):
    alice.email_confirmed_at = clock.now()
    alice.save(update_fields=["email_confirmed_at"])
    headers = _steal(live_server)
    response = requests.patch(f"{live_server.url}/api/v1/accounts/me/", headers=headers,
                              timeout=30, json={"email": "alice@new.example", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["email"] == "alice@example.jp"
    notice = OutboundEmail.objects.get(kind="account_email_change_notice")
    assert notice.recipient_email == "alice@example.jp"
    confirm = OutboundEmail.objects.get(kind="account_email_change_confirm")
    assert confirm.recipient_email == "alice@new.example"
    # Before the new address confirms, a reset for it sends nothing anywhere (row 3's last step).
    reset = csrf_post(requests.Session(), f"{live_server.url}/en/password-reset/",
                      {"email": "alice@new.example"})
    assert reset.status_code == 302
    assert not OutboundEmail.objects.filter(kind="account_password_reset").exists()

    confirmed = requests.get(live_server.url + _link("alice@new.example", "confirm"), timeout=30)
    assert confirmed.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@new.example" and alice.email_confirmed_at is not None

    undone = requests.get(live_server.url + _link("alice@example.jp", "undo"), timeout=30)
    assert undone.status_code == 200
    alice = User.objects.get(pk=alice.pk)
    assert alice.email == "alice@example.jp"
    assert _me(live_server, headers).status_code == 401  # every login ended by the undo
