"""P21 self-service correction, password change and reset, closing the account."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts_app.hooks import account_closed
from accounts_app.models import AccountClosure, AccountSession, PersistentLogin, ProfileChange, User
from accounts_app.services.accounts import profile_update
from notifications_app.models import OutboundEmail
from tests.accounts_app.conftest import PASSWORD, portal_sign_in
from tests.conftest import assert_append_only

pytestmark = pytest.mark.django_db

CLOSED: list = []


def record_closure(*, user, closure):
    """A receiver of the account_closed hook (the requests app files the deletion request there)."""
    CLOSED.append((user.username, closure.reason))


def _profile_form(user, **changes):
    return {"username": user.username, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "language": user.language, **changes}


def test_p21_profile_correction_logs_old_and_new_value(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:profile"),
                           _profile_form(alice, first_name="Alice", language="en"))
    assert response.status_code == 302
    changes = {c.field: (c.old_value, c.new_value) for c in ProfileChange.objects.filter(user=alice)}
    assert changes == {"first_name": ("", "Alice"), "language": ("ja", "en")}
    assert all(c.channel == "portal" for c in ProfileChange.objects.all())
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "Alice" in page


def test_p21_email_change_asks_for_a_new_confirmation(client, alice):
    alice.email_confirmed_at = alice.created_at
    alice.save()
    profile_update(user=alice, changes={"email": "alice.new@example.jp"}, channel="portal")
    alice.refresh_from_db()
    assert alice.email_confirmed_at is None
    assert OutboundEmail.objects.filter(kind="account_email_confirmation",
                                        recipient_email="alice.new@example.jp").exists()


def test_p21_email_change_to_another_users_address_in_other_case_changes_nothing(
        client, alice, bob):
    # Issue 17: the answer is the same as for a free address (it does not reveal that the
    # address is registered); nothing changes and no link is sent to anyone.
    client.force_login(alice)
    response = client.post(reverse("accounts:email-change"),
                           {"new_email": "BOB@example.com", "password": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@example.jp"
    assert ProfileChange.objects.count() == 0
    assert not OutboundEmail.objects.filter(kind="account_email_change_confirm").exists()


def test_p21_profile_history_is_append_only(alice):
    [change] = profile_update(user=alice, changes={"last_name": "Liddell"}, channel="portal")
    change.new_value = "forged"
    assert_append_only(change, update=(ProfileChange.objects.filter(user=alice),
                                       {"new_value": "forged"}),
                       delete=ProfileChange.objects.filter(user=alice))


def test_p21_api_me_shows_and_corrects_the_profile(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/accounts/me/").json()["email"] == "alice@example.jp"
    response = client.patch("/api/v1/accounts/me/", {"last_name": "Liddell"},
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["last_name"] == "Liddell"
    assert ProfileChange.objects.get(user=alice).channel == "api"
    bad = client.patch("/api/v1/accounts/me/", {"email": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "email" in bad.json()["errors"]


def test_api_me_needs_authentication(client):
    assert client.get("/api/v1/accounts/me/").status_code in (401, 403)


def test_password_change_keeps_this_browser_signed_in(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:password-change"), {
        "old_password": "correct-horse-battery-42",
        "new_password1": "another-horse-battery-43", "new_password2": "another-horse-battery-43"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another-horse-battery-43")
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_password_reset_is_emailed_through_the_outbox_and_works(
        client, alice, django_capture_on_commit_callbacks):
    alice.email_confirmed_at = alice.created_at  # issue 17: only to a confirmed address
    alice.save(update_fields=["email_confirmed_at"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": "ALICE@example.jp"})
    assert response.status_code == 302
    row = OutboundEmail.objects.get(kind="account_password_reset")
    assert row.user == alice and row.category == "mandatory"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+/password-reset/\S+/|/password-reset/\S+/)",
                     mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "another-horse-battery-43", "new_password2": "another-horse-battery-43"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another-horse-battery-43")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert OutboundEmail.objects.count() == 0


@pytest.fixture
def closure_recorded():
    """record_closure on accounts_app's account_closed hook, for this test only."""
    CLOSED.clear()
    account_closed.register(record_closure)
    yield CLOSED
    account_closed.unregister(record_closure)


def test_closing_the_account_deactivates_it_ends_every_login_and_records_why(alice,
                                                                            closure_recorded):
    other_browser = Client()
    portal_sign_in(other_browser, "alice", remember=True)
    client = Client()
    portal_sign_in(client, "alice")
    assert client.get(reverse("accounts:close")).status_code == 200  # confirm page
    refused = client.post(reverse("accounts:close"), {"reason": "moving"})  # not confirmed
    assert refused.status_code == 200
    assert User.objects.get(pk=alice.pk).is_active

    response = client.post(reverse("accounts:close"), {"reason": "moving", "confirm": "on"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.is_active
    assert AccountClosure.objects.get(user=alice).reason == "moving"
    assert CLOSED == [("alice", "moving")]
    assert AccountSession.objects.filter(user=alice).count() == 0
    assert PersistentLogin.objects.get(user=alice).revoked_reason == "closed"
    assert other_browser.get(reverse("accounts:settings")).status_code == 302
    assert portal_sign_in(Client(), "alice").status_code == 200  # cannot sign in again


def test_closing_the_account_ends_its_api_token(client, alice):
    token = client.post("/api/v1/auth/token/", {"username": "alice",
                                                "password": "correct-horse-battery-42"},
                        content_type="application/json").json()["token"]
    from accounts_app.services.accounts import account_close

    account_close(user=alice, reason="", channel="api")
    response = client.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code in (401, 403)
