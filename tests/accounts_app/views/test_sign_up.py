"""P01, P02, P07: sign-up records the policy acceptance and consents, or creates nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts_app.models import User
from accounts_app.services.accounts import account_sign_up
from consent_app.models import ConsentEvent, PolicyAcceptance
from consent_app.selectors import consent_is_granted, policy_version_current
from notifications_app.models import OutboundEmail

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "carol",
    "email": "carol@example.jp",
    "password": "correct-horse-battery-42",
    "language": "ja",
    "accept_policy": "on",
    "consent_cross_border_storage": "on",
}


def _post(client, **overrides):
    data = {**GOOD, **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("accounts:sign-up"), data)


def test_p01_p07_sign_up_records_policy_acceptance_and_cross_border_consent(client):
    response = _post(client)
    assert response.status_code == 302
    user = User.objects.get(username="carol")
    assert PolicyAcceptance.objects.filter(user=user, version=policy_version_current()).exists()
    assert consent_is_granted(user=user, purpose="cross_border_storage")
    assert ConsentEvent.objects.filter(user=user, purpose="cross_border_storage",
                                       channel="signup").exists()
    # P02: marketing stays off unless the user opts in.
    assert not consent_is_granted(user=user, purpose="marketing_email")
    # Issue 17: not signed in; the same "check your email" answer as for a registered address.
    assert response["Location"] == reverse("accounts:sign-up-sent")
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_p02_marketing_consent_is_recorded_only_when_opted_in(client):
    _post(client, marketing_email="on")
    assert consent_is_granted(user=User.objects.get(username="carol"), purpose="marketing_email")


@pytest.mark.parametrize("missing", ["accept_policy", "consent_cross_border_storage"])
def test_p01_without_policy_acceptance_or_cross_border_consent_no_account_is_created(client, missing):
    response = _post(client, **{missing: None})
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert ConsentEvent.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    text = response.content.decode()
    assert "アカウントは作成されません" in text or "作成するには" in text


def test_p01_username_and_email_differing_only_in_case_are_refused(client, alice):
    response = _post(client, username="ALICE")
    assert "同じユーザー名が既に登録済みです" in response.content.decode()
    # Issue 17: a registered address is not revealed: the same answer, no account; the owner
    # is told by email instead.
    response = _post(client, email="ALICE@EXAMPLE.JP")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-up-sent")
    assert User.objects.count() == 1
    assert ConsentEvent.objects.count() == 0
    assert OutboundEmail.objects.get(kind="account_sign_up_existing").user == alice


@pytest.mark.parametrize(("field", "value", "message"), [
    ("password", "12345678", "password is too common"),
    ("password", "carol", "too short"),
    ("email", "not-an-email", "valid email"),
])
def test_p01_weak_password_or_invalid_email_is_refused_with_a_clear_message(
        client, field, value, message):
    response = client.post("/en/sign-up/", {**GOOD, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_p01_sign_up_emails_a_confirmation_link_through_the_outbox(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    row = OutboundEmail.objects.get(kind="account_email_confirmation")
    assert row.recipient_email == "carol@example.jp"
    assert row.category == "mandatory"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "確認" in mail.outbox[0].subject
    link = re.search(r"https?://\S+/confirm-email/\S+/", body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert User.objects.get(username="carol").email_confirmed_at is not None


def test_p01_confirmation_link_tampered_with_is_refused(client):
    response = client.get(reverse("accounts:confirm-email", args=["garbage"]))
    assert response.status_code == 400


def test_p01_service_is_all_or_nothing_when_consent_is_missing():
    from ccucaas_privacy.errors import DomainError

    with pytest.raises(DomainError) as info:
        account_sign_up(username="dave", email="dave@example.jp",
                        password="correct-horse-battery-42", accept_policy=True,
                        consent_cross_border_storage=False)
    assert "consent_cross_border_storage" in info.value.details
    assert User.objects.count() == 0


def test_p01_api_sign_up_creates_the_account_and_refuses_without_consent(client):
    url = "/api/v1/accounts/sign-up/"
    body = {"username": "erin", "email": "erin@example.com",
            "password": "correct-horse-battery-42", "language": "en", "accept_policy": True}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "consent_required"
    assert "consent_cross_border_storage" in refused.json()["errors"]
    assert User.objects.count() == 0
    created = client.post(url, {**body, "consent_cross_border_storage": True},
                          content_type="application/json")
    # Issue 17: 202 and the same body whether or not the address had an account.
    assert created.status_code == 202, created.content
    assert set(created.json()) == {"detail"}
    assert consent_is_granted(user=User.objects.get(username="erin"),
                              purpose="cross_border_storage")


def test_p01_api_weak_password_is_one_json_error_shape(client):
    response = client.post("/api/v1/accounts/sign-up/", {
        "username": "erin", "email": "erin@example.com", "password": "123",
        "accept_policy": True, "consent_cross_border_storage": True,
    }, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert User.objects.count() == 0


def test_p01_no_account_before_any_policy_is_in_effect(client):
    from datetime import UTC, datetime

    import time_machine

    with time_machine.travel(datetime(2025, 1, 1, tzinfo=UTC), tick=False):
        assert policy_version_current() is None
        response = client.post("/api/v1/accounts/sign-up/", {
            "username": "erin", "email": "erin@example.com",
            "password": "correct-horse-battery-42", "accept_policy": True,
            "consent_cross_border_storage": True}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "no_policy"
    assert User.objects.count() == 0


def test_p01_sign_up_api_is_rate_limited(client, settings):
    statuses = [client.post("/api/v1/accounts/sign-up/", {"username": f"u{i}"},
                            content_type="application/json").status_code for i in range(12)]
    assert statuses[0] == 400 and statuses[-1] == 429
