"""API: /api/v1/consents/ and /api/v1/policies/ (DESIGN section 9); one error shape; scoping."""

from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from consent_app import selectors, services
from consent_app.models import ConsentEvent, PolicyAcceptance

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_consents_need_authentication():
    response = APIClient().get("/api/v1/consents/")
    assert response.status_code in (401, 403)
    assert set(response.json()) >= {"type", "title", "status", "code", "detail"}


def test_list_current_state(api, alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="signup")
    services.consent_grant(user=alice, purpose="third_party_provision:acme", channel="portal")
    body = api.get("/api/v1/consents/").json()
    by_code = {row["purpose"]: row for row in body}
    assert by_code["marketing_email"]["granted"] is True
    assert by_code["analytics_tracking"]["granted"] is False
    assert by_code["cross_border_storage"]["required"] is True
    assert by_code["third_party_provision:acme"]["granted"] is True
    assert by_code["marketing_email"]["receipt_id"]


def test_grant_and_withdraw_are_one_call_each(api, alice):
    response = api.post("/api/v1/consents/grant/", {"purpose": "marketing_email"}, format="json")
    assert response.status_code == 201
    assert response.json()["action"] == "granted" and response.json()["channel"] == "api"
    again = api.post("/api/v1/consents/grant/", {"purpose": "marketing_email"}, format="json")
    assert again.status_code == 200
    assert again.json()["receipt_id"] == response.json()["receipt_id"]
    withdrawn = api.post("/api/v1/consents/withdraw/", {"purpose": "marketing_email"},
                         format="json")
    assert withdrawn.status_code == 201 and withdrawn.json()["action"] == "withdrawn"
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")


def test_unknown_purpose_is_400_in_the_shared_shape(api):
    response = api.post("/api/v1/consents/grant/", {"purpose": "spam"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_purpose" and body["status"] == 400 and "purpose" in body["errors"]
    missing = api.post("/api/v1/consents/grant/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"]["purpose"]
    assert not ConsentEvent.objects.exists()


def test_p07_withdrawing_required_purpose_is_409_and_changes_nothing(api, alice):
    services.consent_grant(user=alice, purpose="cross_border_storage", channel="signup")
    response = api.post("/api/v1/consents/withdraw/", {"purpose": "cross_border_storage"},
                        format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "purpose_required"
    assert ConsentEvent.objects.count() == 1


def test_receipts_are_scoped_to_their_owner(api, alice, bob):
    mine = services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    theirs = services.consent_grant(user=bob, purpose="marketing_email", channel="portal")
    response = api.get(f"/api/v1/consents/receipts/{mine.receipt_id}/")
    assert response.status_code == 200
    assert response.json()["consentReceiptID"] == str(mine.receipt_id)
    other = api.get(f"/api/v1/consents/receipts/{theirs.receipt_id}/")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    events = api.get("/api/v1/consents/events/").json()
    assert [e["receipt_id"] for e in events] == [str(mine.receipt_id)]


def test_policies_list_current_and_detail_are_public():
    client = APIClient()
    versions = client.get("/api/v1/policies/").json()
    assert [v["version"] for v in versions] == ["1"]
    current = client.get("/api/v1/policies/current/").json()
    assert current["version"] == "1" and current["full_text_ja"].startswith("発行日")
    assert client.get("/api/v1/policies/1/").status_code == 200
    assert client.get("/api/v1/policies/99/").status_code == 404


def test_p25_accept_policy_via_api_idempotent(api, alice):
    first = api.post("/api/v1/policies/1/accept/")
    assert first.status_code == 201 and first.json()["kind"] == "accepted"
    api.post("/api/v1/policies/1/accept/")
    assert PolicyAcceptance.objects.filter(user=alice).count() == 1
    assert api.get("/api/v1/policies/acceptances/").json()[0]["version"] == "1"
    assert APIClient().post("/api/v1/policies/1/accept/").status_code in (401, 403)


@time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False)
def test_p25_upcoming_version_listed_but_not_current(api):
    services.policy_version_publish(
        version="2", effective_at=datetime(2027, 1, 15, tzinfo=UTC), importance="major",
        summary_ja="変更", summary_en="Change", full_text_ja="本文")
    assert [v["version"] for v in api.get("/api/v1/policies/").json()] == ["2", "1"]
    assert api.get("/api/v1/policies/current/").json()["version"] == "1"
    assert api.post("/api/v1/policies/2/accept/").status_code == 201


def test_schema_documents_the_consent_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/consents/grant/", "/api/v1/consents/withdraw/",
                 "/api/v1/consents/receipts/{receipt_id}/", "/api/v1/policies/{version}/accept/"):
        assert path in schema
