"""P02/P19: the one-click unsubscribe endpoint (RFC 8058)."""

import json

import pytest
from django.core import signing
from django.test import Client

from consent_app.selectors import consent_is_granted
from notifications_app.tokens import unsubscribe_token_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed_bob(bob, grant_marketing):
    return grant_marketing(bob)


def _other_users_payload(token: str, user_id: int) -> str:
    """Keep the signature, swap the payload for someone else's account."""
    _payload, timestamp, signature = token.split(":")
    forged = signing.b64_encode(
        json.dumps({"u": user_id, "p": "marketing_email"}, separators=(",", ":")).encode())
    return f"{forged.decode()}:{timestamp}:{signature}"


def _url(token: str) -> str:
    return f"/unsubscribe/{token}/"


def test_p02_get_shows_a_confirmation_page_and_changes_nothing(subscribed_bob):
    token = unsubscribe_token_make(user_id=subscribed_bob.pk)
    japanese = Client().get(_url(token))
    english = Client().get(_url(token) + "?lang=en")
    assert japanese.status_code == english.status_code == 200
    assert "お知らせメールの配信停止" in japanese.content.decode()
    assert "必須のため引き続きお送りします" in japanese.content.decode()
    assert "Unsubscribe from news emails" in english.content.decode()
    assert 'name="List-Unsubscribe" value="One-Click"' in english.content.decode()
    assert consent_is_granted(user=subscribed_bob, purpose="marketing_email")


def test_p02_the_confirmation_form_posts_without_a_session_or_csrf_token(subscribed_bob):
    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token_make(user_id=subscribed_bob.pk)
    response = client.post(_url(token) + "?lang=en", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not consent_is_granted(user=subscribed_bob, purpose="marketing_email")
    # A second click (or the provider retrying) is harmless.
    again = client.post(_url(token), {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert "配信を停止しました" in again.content.decode()


@pytest.mark.parametrize("make_token", [
    pytest.param(lambda user: unsubscribe_token_make(user_id=user.pk)[:-3] + "abc",
                 id="tampered-signature"),
    pytest.param(lambda user: _other_users_payload(unsubscribe_token_make(user_id=user.pk),
                                                   user.pk + 1), id="edited-payload"),
    pytest.param(lambda user: signing.dumps({"u": user.pk, "p": "marketing_email"}),
                 id="signed-for-something-else"),
    pytest.param(lambda user: signing.dumps({"u": user.pk, "p": "analytics_tracking"},
                                            salt="notifications_app.unsubscribe.marketing_email"),
                 id="other-purpose"),
    pytest.param(lambda user: "not-a-token", id="garbage"),
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_p02_a_tampered_or_foreign_token_gets_a_clear_400_page_and_changes_nothing(
        subscribed_bob, make_token, method):
    token = make_token(subscribed_bob)
    response = getattr(Client(enforce_csrf_checks=True), method)(_url(token) + "?lang=en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Invalid unsubscribe link" in body
    assert "Nothing was changed." in body
    assert consent_is_granted(user=subscribed_bob, purpose="marketing_email")


def test_a_token_of_a_deleted_account_is_refused(make_user):
    carol = make_user("carol")
    token = unsubscribe_token_make(user_id=carol.pk)
    carol.delete()
    response = Client().post(_url(token))
    assert response.status_code == 400
    assert "配信停止リンクが無効です" in response.content.decode()


def test_unsubscribe_is_outside_the_language_prefix():
    assert Client().get("/en/unsubscribe/x/").status_code == 404
