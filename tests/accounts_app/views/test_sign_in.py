"""P03, P11: sign-in, 「サインイン状態の維持」, persistent logins, sign-out, throttling."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts_app.models import AccountSession, PersistentLogin
from consent_app.selectors import consent_is_granted
from tests.accounts_app.conftest import portal_sign_in

pytestmark = pytest.mark.django_db

CHROME_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                     "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
SAFARI_ON_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def _settings_page(client):
    return client.get(reverse("accounts:settings"))


def test_p11_without_keep_me_signed_in_the_session_cookie_has_no_expiry(client, alice):
    response = portal_sign_in(client, "alice")
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert PersistentLogin.objects.count() == 0
    assert not consent_is_granted(user=alice, purpose="persistent_login")
    assert _settings_page(client).status_code == 200


def test_p11_keep_me_signed_in_sets_a_30_day_cookie_and_records_the_login(alice, settings):
    assert settings.PERSISTENT_LOGIN_DAYS == 30
    client = Client(HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    response = portal_sign_in(client, "alice", remember=True)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    assert cookie["expires"]
    login = PersistentLogin.objects.get(user=alice)
    assert login.email == alice.email
    assert login.browser == "Chrome 120"
    assert login.os == "Windows 10"
    assert login.ip == "127.0.0.1"
    assert login.revoked_at is None
    assert login.expires_at - login.last_used_at == timedelta(days=30)
    # The session key itself is never stored, only its hash.
    assert client.session.session_key not in login.session_key_hash
    page = _settings_page(client).content.decode()
    assert "Chrome 120" in page and "Windows 10" in page
    # The choice of a persistent cookie is recorded in the consent ledger (P11).
    assert consent_is_granted(user=alice, purpose="persistent_login")


def test_p11_persistent_login_days_is_configurable(alice, settings):
    settings.PERSISTENT_LOGIN_DAYS = 7
    response = portal_sign_in(Client(), "alice", remember=True)
    assert int(response.cookies["sessionid"]["max-age"]) == 7 * 24 * 3600


def test_p11_revoking_a_persistent_login_signs_that_browser_out(alice):
    laptop = Client(HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    phone = Client(HTTP_USER_AGENT=SAFARI_ON_IPHONE)
    portal_sign_in(laptop, "alice", remember=True)
    portal_sign_in(phone, "alice", remember=True)
    assert _settings_page(phone).status_code == 200
    phone_login = PersistentLogin.objects.get(browser__startswith="Mobile Safari")
    assert phone_login.device == "iPhone"

    response = laptop.post(reverse("accounts:login-revoke", args=[phone_login.public_id]))
    assert response.status_code == 302

    phone_login.refresh_from_db()
    assert phone_login.revoked_at is not None
    assert _settings_page(phone).status_code == 302  # signed out: sent to sign-in
    assert _settings_page(laptop).status_code == 200  # the other browser stays signed in
    assert AccountSession.objects.filter(user=alice).count() == 1


def test_p11_revoke_all_signs_out_every_persistent_browser(alice):
    browsers = [Client(HTTP_USER_AGENT=ua) for ua in (CHROME_ON_WINDOWS, SAFARI_ON_IPHONE)]
    for browser in browsers:
        portal_sign_in(browser, "alice", remember=True)
    browsers[0].post(reverse("accounts:logins-revoke-all"))
    assert all(_settings_page(b).status_code == 302 for b in browsers)
    assert PersistentLogin.objects.filter(revoked_at__isnull=True).count() == 0


def test_p11_sign_out_ends_the_persistent_login(client, alice):
    portal_sign_in(client, "alice", remember=True)
    client.post(reverse("accounts:sign-out"))
    login = PersistentLogin.objects.get()
    assert login.revoked_at is not None and login.revoked_reason == "signed_out"
    assert _settings_page(client).status_code == 302
    assert AccountSession.objects.filter(user=alice).count() == 0


def test_p11_another_users_persistent_login_cannot_be_revoked(alice, bob):
    portal_sign_in(Client(), "alice", remember=True)
    bob_client = Client()
    portal_sign_in(bob_client, "bob")
    alices = PersistentLogin.objects.get(user=alice)
    response = bob_client.post(reverse("accounts:login-revoke", args=[alices.public_id]))
    assert response.status_code == 404
    alices.refresh_from_db()
    assert alices.revoked_at is None


def test_p11_keep_me_signed_in_is_refused_when_the_browser_blocks_cookies(client, alice):
    client.get(reverse("accounts:sign-in"))
    client.cookies.clear()  # the browser kept no cookie from the sign-in page
    response = client.post(reverse("accounts:sign-in"),
                           {"username": "alice", "password": "correct-horse-battery-42",
                            "remember_me": "on"})
    assert response.status_code == 200
    assert "Cookie" in response.content.decode() or "クッキー" in response.content.decode()
    assert PersistentLogin.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_p11_sign_in_page_has_the_cookie_blocked_note_for_the_browser(client):
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert 'id="cookies-blocked-note"' in page
    assert 'id="id_remember_me"' in page
    assert "accounts_app/portal.js" in page


def test_p03_sign_in_ignores_username_case_and_goes_to_next(client, alice):
    client.get(reverse("accounts:sign-in"))
    response = client.post(reverse("accounts:sign-in") + "?next=/account/contacts/",
                           {"username": "ALICE", "password": "correct-horse-battery-42",
                            "next": "/account/contacts/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/contacts/"


def test_p03_sign_in_does_not_redirect_to_another_site(client, alice):
    client.get(reverse("accounts:sign-in"))
    response = client.post(reverse("accounts:sign-in"),
                           {"username": "alice", "password": "correct-horse-battery-42",
                            "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:settings")


@pytest.mark.parametrize("username", ["alice", "nobody-like-this"])
def test_p03_repeated_failures_lock_sign_in_and_say_to_wait_without_revealing_the_user(
        client, alice, settings, username):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = portal_sign_in(client, username, password="wrong-password")
        assert response.status_code == 200
    locked = portal_sign_in(client, username, password="wrong-password")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "15" in text and "お待ち" in text
    assert username not in text
    # Even the right password is refused while locked.
    assert portal_sign_in(client, username).status_code == 429
    assert "_auth_user_id" not in client.session


def test_p03_lockout_page_is_the_same_for_existing_and_unknown_usernames(client, alice, settings):
    pages = []
    for username in ("alice", "nobody-like-this"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = portal_sign_in(client, username, password="wrong-password")
        assert response.status_code == 429
        pages.append(re.search(r'<p role="alert">(.*?)</p>', response.content.decode(), re.S)[1])
    assert pages[0] == pages[1]


def test_p03_api_token_for_valid_credentials_and_one_error_shape_otherwise(client, alice):
    response = client.post("/api/v1/auth/token/",
                           {"username": "alice", "password": "correct-horse-battery-42"},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["username"] == "alice"
    wrong = client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"},
                        content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_credentials"


def test_p03_api_token_locks_after_repeated_failures(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"},
                    content_type="application/json")
    locked = client.post("/api/v1/auth/token/",
                         {"username": "alice", "password": "correct-horse-battery-42"},
                         content_type="application/json")
    assert locked.status_code == 429
    assert locked.json()["code"] in {"locked_out", "throttled"}


def test_p03_api_token_endpoint_is_rate_limited(client, settings):
    statuses = [client.post("/api/v1/auth/token/", {"username": f"u{i}", "password": "x"},
                            content_type="application/json").status_code for i in range(12)]
    assert 429 in statuses


def test_p11_last_use_of_a_persistent_login_is_kept_current(client, alice):
    from datetime import UTC, datetime

    import time_machine

    start = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        portal_sign_in(client, "alice", remember=True)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        _settings_page(client)
    assert PersistentLogin.objects.get().last_used_at == start  # touched at most every 5 min
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        _settings_page(client)
    assert PersistentLogin.objects.get().last_used_at == start + timedelta(minutes=10)


def test_p11_admin_sign_in_is_a_browser_session_cookie_too(client, officer):
    client.get("/admin/login/")
    response = client.post("/admin/login/?next=/admin/",
                           {"username": "officer", "password": "correct-horse-battery-42"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["expires"] == ""


def test_p11_withdrawing_persistent_login_consent_signs_out_every_kept_browser(alice):
    from consent_app.services import consent_withdraw

    browsers = [Client(HTTP_USER_AGENT=ua) for ua in (CHROME_ON_WINDOWS, SAFARI_ON_IPHONE)]
    for browser in browsers:
        portal_sign_in(browser, "alice", remember=True)
    consent_withdraw(user=alice, purpose="persistent_login", channel="portal")
    assert not PersistentLogin.objects.filter(user=alice, revoked_at__isnull=True).exists()
    assert set(PersistentLogin.objects.values_list("revoked_reason", flat=True)) == {"consent_withdrawn"}
    assert all(_settings_page(b).status_code == 302 for b in browsers)
