"""A test agent with a real Ed25519 key exercises every right of spec 3.01 against the live
server (issue 23): key setup (2.05), agent information (2.06), exercise (2.01), status (2.02),
revoke (2.04) and the status objects of 3.03."""

from datetime import UTC, datetime

import pytest

from tests.agents_app.conftest import person
from tests.agents_app.drp_agent import check_error, check_status

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.jp", language="en")


def _dsr(request_id):
    from agents_app.models import DrpRequest

    return DrpRequest.objects.select_related("request").get(pk=request_id).request


def test_it_sets_up_a_pairwise_token_stored_hashed_and_answers_agent_information(agent):
    from agents_app.models import AgentToken

    assert agent.agent_info().json() == {}
    stored = AgentToken.objects.get(agent__agent_id=agent.agent_id)
    assert stored.token_hash != agent.token and len(agent.token) >= 40


@pytest.mark.parametrize(("exercise", "type"), [
    ("access", "disclosure"), ("access:specific", "disclosure"),
    ("access:categories", "disclosure"), ("deletion", "deletion")])
def test_p21_an_exercise_with_a_verified_email_enters_the_30_day_lifecycle(
        agent, alice, exercise, type):
    from ccucaas_privacy import clock

    response = agent.exercise(exercise=exercise, **person("ALICE@example.jp"),
                              **{"agent-request-id": f"ref-{exercise}"})
    assert response.status_code == 200
    status = check_status(response.json())
    dsr = _dsr(status["request_id"])
    assert (dsr.type, dsr.channel, dsr.subject, dsr.status) == (type, "agent", alice, "received")
    assert status["status"] == "in_progress" and "reason" not in status
    assert status["agent_request_id"] == f"ref-{exercise}"
    assert datetime.fromisoformat(status["expected_by"]) == clock.reply_due_at(dsr.received_at)
    assert "Agent TEST_AGENT" in dsr.details["note"]  # staff see which agent filed it
    assert agent.status(status["request_id"]).json() == status


def test_the_exercise_url_with_a_trailing_slash_is_accepted(agent, alice):
    response = agent.exercise(path="/v1/data-rights-request/", exercise="access",
                              **person("alice@example.jp"))
    assert check_status(response.json())["status"] == "in_progress"


def test_p15_sale_opt_out_withdraws_every_third_party_provision_consent(agent, alice):
    from consent_app import selectors, services

    for recipient in ("acme", "globex"):
        services.consent_grant(user=alice, purpose=f"third_party_provision:{recipient}",
                               channel="portal")
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    status = check_status(agent.exercise(exercise="sale:opt-out",
                                         **person("alice@example.jp")).json())
    assert status["status"] == "fulfilled"
    assert "never sell" in status["processing_details"]
    assert "acme" in status["processing_details"] and "globex" in status["processing_details"]
    for recipient in ("acme", "globex"):
        assert not selectors.consent_is_granted(user=alice,
                                                purpose=f"third_party_provision:{recipient}")
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")


def test_sale_opt_in_is_denied_as_claim_not_covered(agent, alice):
    status = check_status(agent.exercise(exercise="sale:opt_in",
                                         **person("alice@example.jp")).json())
    assert (status["status"], status["reason"]) == ("denied", "claim_not_covered")


def test_claims_matching_no_account_are_denied_as_no_match(agent, alice):
    from requests_app.models import DataSubjectRequest

    status = check_status(agent.exercise(exercise="deletion",
                                         **person("nobody@example.org")).json())
    assert (status["status"], status["reason"]) == ("denied", "no_match")
    assert not DataSubjectRequest.objects.exists()


def test_an_unverified_email_needs_user_verification_by_signing_in(agent, alice, client):
    status = check_status(agent.exercise(exercise="access",
                                         **person("alice@example.jp", verified=False)).json())
    assert (status["status"], status["reason"]) == ("in_progress", "need_user_verification")
    assert _dsr(status["request_id"]).status == "awaiting_verification"
    url = status["user_verification_url"].replace(client_base(status), "")
    query = {"redirect_to": "https://agent.example/back", "request_id": status["request_id"]}
    assert client.get(url, query).status_code == 302  # sign in first
    client.force_login(alice)
    assert client.get(url, {**query, "request_id": "another"}).status_code == 400
    assert client.get(url, query).status_code == 200
    response = client.post(url, query)
    assert response.status_code == 302 and response["Location"] == "https://agent.example/back"
    assert _dsr(status["request_id"]).status == "received"
    after = check_status(agent.status(status["request_id"]).json())
    assert after["status"] == "in_progress" and "reason" not in after


def client_base(status) -> str:
    return status["user_verification_url"].split("/drp/verify/")[0]


def test_another_persons_verification_page_is_a_404(agent, alice, make_user, client):
    status = agent.exercise(exercise="access", **person("alice@example.jp", verified=False)).json()
    client.force_login(make_user("bob", email="bob@example.com"))
    url = status["user_verification_url"].replace(client_base(status), "")
    assert client.get(url).status_code == 404
    assert client.post(url, {"request_id": status["request_id"]}).status_code == 404
    assert _dsr(status["request_id"]).status == "awaiting_verification"


def test_revoke_answers_revoked_and_withdraws_the_request(agent, alice):
    status = agent.exercise(exercise="deletion", **person("alice@example.jp")).json()
    revoked = check_status(agent.revoke(status["request_id"], reason="I changed my mind").json())
    assert revoked["status"] == "revoked"
    dsr = _dsr(status["request_id"])
    assert dsr.status == "withdrawn" and dsr.events.last().note == "I changed my mind"


def test_revoking_a_final_request_is_a_conflict_and_changes_nothing(agent, alice):
    status = agent.exercise(exercise="sale:opt-in", **person("alice@example.jp")).json()
    check_error(agent.revoke(status["request_id"], reason="late"), 409)
    assert agent.status(status["request_id"]).json()["status"] == "denied"


def test_an_unknown_request_id_is_a_404_error_state(agent):
    check_error(agent.status("c789ff35-7644-4ceb-9981-4b35c264aac3"), 404)


def test_a_reused_agent_request_id_is_refused(agent, alice):
    first = agent.exercise(exercise="sale:opt-in", **person("alice@example.jp"),
                           **{"agent-request-id": "same"})
    assert first.status_code == 200
    check_error(agent.exercise(exercise="sale:opt-in", **person("alice@example.jp"),
                               **{"agent-request-id": "same"}), 409)


def test_the_directory_entry_names_our_api_base_actions_and_policy(agent, live_server):
    import requests

    entry = requests.get(f"{live_server.url}/drp/directory-entry.json", timeout=10).json()
    assert entry["id"] == "CCUCAAS_TEST" and entry["api_base"] == f"{live_server.url}/drp/"
    assert set(entry["supported_actions"]) == {"access", "deletion", "access:categories",
                                               "access:specific", "sale:opt_out"}
    assert entry["supported_verifications"] == ["email"]
    assert requests.get(entry["privacy_policy_url"], timeout=10).status_code == 200
    assert datetime.now(UTC)  # the entry needs no clock; the agent reads it as is
