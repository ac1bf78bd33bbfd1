"""Issue 17 rows 9 and 12, repeated over real HTTP (live_server, `requests`): password resets
are limited per address and per client and answer without looking the address up; sign-up
does not say whether an address is registered (its owner is emailed instead)."""

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts_app.models import User
from ccucaas_privacy import clock
from notifications_app.models import OutboundEmail
from tests.accounts_app.conftest import PASSWORD
from tests.hardening.services import csrf_post

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.rule("P03")]


@pytest.fixture
def confirmed_alice(alice):
    alice.email_confirmed_at = clock.now()
    alice.save(update_fields=["email_confirmed_at"])
    return alice


def test_row9_six_resets_for_one_address_send_at_most_the_limit(live_server, confirmed_alice,
                                                                settings):
    url = f"{live_server.url}/en/password-reset/"
    answers = [csrf_post(requests.Session(), url, {"email": "alice@example.jp"}).status_code
               for _ in range(6)]
    limit = settings.PASSWORD_RESET_RATE_PER_EMAIL
    assert answers == [302] * limit + [429] * (6 - limit)
    # At most the limit (links made within the same second are one email in the outbox).
    assert 1 <= OutboundEmail.objects.filter(kind="account_password_reset").count() <= limit


def test_row9_resets_from_one_client_are_limited_across_addresses(live_server, settings):
    settings.PASSWORD_RESET_RATE_PER_CLIENT = 2
    url = f"{live_server.url}/en/password-reset/"
    answers = [csrf_post(requests.Session(), url, {"email": f"n{i}@example.jp"}).status_code
               for i in range(3)]
    assert answers == [302, 302, 429]


def _reset_queries(client, email: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("accounts:password-reset"), {"email": email})
    assert response.status_code == 302
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db  # in a transaction, so that the task waits for the commit
def test_row9_the_reset_answer_does_the_same_work_for_a_known_and_an_unknown_address(
        client, confirmed_alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as known_tasks:
        known = _reset_queries(client, "alice@example.jp")
    with django_capture_on_commit_callbacks(execute=False) as unknown_tasks:
        unknown = _reset_queries(client, "nobody@example.jp")
    # The address is looked up by the task after the answer, never while answering.
    assert not [sql for sql in known + unknown if "accounts_app_user" in sql]
    assert len(known) == len(unknown)
    assert len(known_tasks) == len(unknown_tasks) == 1
    assert not OutboundEmail.objects.exists()
    for task in known_tasks:
        task()
    assert OutboundEmail.objects.get(kind="account_password_reset").user == confirmed_alice


def _sign_up(live_server, email: str, username: str) -> requests.Response:
    return csrf_post(requests.Session(), f"{live_server.url}/en/sign-up/", {
        "username": username, "email": email, "password": PASSWORD, "language": "en",
        "accept_policy": "on", "consent_cross_border_storage": "on"})


def test_row12_sign_up_answers_the_same_for_a_registered_address_and_tells_its_owner(
        live_server, alice):
    taken = _sign_up(live_server, "ALICE@example.jp", "mallory")
    fresh = _sign_up(live_server, "carol@example.jp", "carol")
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    page = requests.get(live_server.url + taken.headers["Location"], timeout=30)
    assert "already in use" not in page.text and "already exists" not in page.text
    assert not User.objects.filter(username="mallory").exists()
    assert User.objects.filter(username="carol").exists()
    notice = OutboundEmail.objects.get(kind="account_sign_up_existing")
    assert notice.user == alice and notice.recipient_email == "alice@example.jp"


def test_row12_api_sign_up_answers_the_same_for_a_registered_address(live_server, alice):
    url = f"{live_server.url}/api/v1/accounts/sign-up/"
    body = {"password": PASSWORD, "accept_policy": True, "consent_cross_border_storage": True}
    taken = requests.post(url, json={**body, "username": "mallory", "email": "alice@example.jp"},
                          timeout=30)
    fresh = requests.post(url, json={**body, "username": "erin", "email": "erin@example.com"},
                          timeout=30)
    assert taken.status_code == fresh.status_code == 202
    assert taken.json() == fresh.json()
    assert not User.objects.filter(username="mallory").exists()
    assert OutboundEmail.objects.filter(kind="account_sign_up_existing", user=alice).count() == 1
