"""An attacker against the DRP endpoints over real HTTP (spec 2.05.1, 2.02.1, 2.06.1, 3.06,
3.07): every forged, misdirected, stale, replayed or malformed message is a 403 or 400 and
changes nothing."""

from datetime import UTC, datetime, timedelta

import nacl.signing
import pytest
import requests

from tests.agents_app.conftest import person
from tests.agents_app.drp_agent import check_error

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _world() -> dict[str, int]:
    from agents_app.models import AgentToken, DrpRequest, SignedMessage
    from consent_app.models import ConsentEvent
    from requests_app.models import DataSubjectRequest

    return {"drp": DrpRequest.objects.count(), "dsr": DataSubjectRequest.objects.count(),
            "tokens": AgentToken.objects.count(), "seen": SignedMessage.objects.count(),
            "consents": ConsentEvent.objects.count()}


@pytest.fixture
def alice_account(make_user):
    return make_user("alice", email="alice@example.jp")


def _access(**extra):
    return {"exercise": "access", **person("alice@example.jp"), **extra}


def test_it_refuses_an_exercise_signed_with_another_key(agent, alice_account):
    before = _world()
    forged = agent.sign(agent.envelope(**_access()), key=nacl.signing.SigningKey.generate())
    check_error(agent.exercise(forged), 403)
    assert _world() == before


def test_it_refuses_a_key_setup_signed_with_another_key_with_an_empty_403(register_agent):
    agent = register_agent(setup=False)
    before = _world()
    response = agent.key_setup(agent.sign(agent.envelope(), key=nacl.signing.SigningKey.generate()))
    assert response.status_code == 403 and response.content == b""
    assert _world() == before and agent.token == ""


def test_it_refuses_a_key_setup_for_another_agent_id(register_agent):
    mallory = register_agent("MALLORY", setup=False)
    register_agent("VICTIM", setup=False)
    before = _world()
    # Mallory signs with her key, naming herself or the victim, and posts to the victim's URL.
    for named in ("MALLORY", "VICTIM"):
        document = {**mallory.envelope(), "agent-id": named}
        answer = requests.post(f"{mallory.api_base}/v1/agent/VICTIM",
                               data=mallory.sign(document), timeout=10)
        assert answer.status_code == 403 and answer.content == b""
    assert _world() == before


def test_it_refuses_a_request_signed_by_another_agent_under_its_token(register_agent, alice_account):
    """3.07: the agent-id claim must be the token's agent (requests cannot be re-sent by
    another AA)."""
    honest, mallory = register_agent("HONEST"), register_agent("MALLORY")
    before = _world()
    stolen = honest.sign(honest.envelope(**_access()))  # honest's message, Mallory's token
    check_error(mallory.exercise(stolen), 403)
    document = mallory.envelope(**_access())
    document["agent-id"] = "HONEST"
    check_error(mallory.exercise(mallory.sign(document)), 403)
    assert _world() == before


def test_it_answers_403_to_another_agents_token_for_status_revoke_and_agent_info(
        register_agent, alice_account):
    owner, other = register_agent("OWNER"), register_agent("OTHER")
    filed = owner.exercise(**_access()).json()
    before = _world()
    check_error(other.status(filed["request_id"]), 403)
    check_error(other.revoke(filed["request_id"], reason="not mine"), 403)
    check_error(requests.get(f"{other.api_base}/v1/agent/OWNER",
                             headers={"Authorization": f"Bearer {other.token}"}, timeout=10), 403)
    assert _world() == before
    assert owner.status(filed["request_id"]).json()["status"] == "in_progress"


def test_it_refuses_a_message_for_another_business(agent, alice_account):
    before = _world()
    document = agent.envelope(**_access())
    document["business-id"] = "SOMEONE_ELSE"
    check_error(agent.exercise(agent.sign(document)), 403)
    assert _world() == before


def test_it_refuses_an_expired_message_as_fatal(agent, alice_account):
    before = _world()
    old = datetime.now(UTC) - timedelta(minutes=20)
    body = check_error(agent.exercise(agent.sign(agent.envelope(now=old, **_access()))), 403)
    assert body["fatal"] is True
    assert _world() == before


def test_it_refuses_a_window_longer_than_drp_max_window_seconds(agent, alice_account, settings):
    assert settings.DRP["MAX_WINDOW_SECONDS"] == 900
    before = _world()
    check_error(agent.exercise(agent.sign(agent.envelope(window=901, **_access()))), 403)
    assert _world() == before
    assert agent.exercise(agent.sign(agent.envelope(window=900, **_access()))).status_code == 200


def test_it_refuses_a_message_issued_in_the_future(agent, alice_account):
    before = _world()
    check_error(agent.exercise(agent.sign(agent.envelope(issued_offset=60, **_access()))), 403)
    assert _world() == before


def test_it_refuses_a_replayed_message(agent, alice_account):
    body = agent.sign(agent.envelope(**_access()))
    assert agent.exercise(body).status_code == 200
    before = _world()
    check_error(agent.exercise(body), 403)
    assert _world() == before


def test_it_refuses_a_replayed_key_setup(register_agent):
    agent = register_agent(setup=False)
    body = agent.sign(agent.envelope())
    assert agent.key_setup(body).status_code == 200
    before = _world()
    response = agent.key_setup(body)
    assert response.status_code == 403 and response.content == b""
    assert _world() == before


def test_it_answers_400_to_malformed_base64(agent, alice_account):
    before = _world()
    check_error(agent.exercise(b"this is not base64!!"), 400)
    check_error(agent.exercise(agent.sign(agent.envelope(**_access()))[:-3] + b"%%%"), 400)
    assert _world() == before


@pytest.mark.parametrize("document", [b"[1, 2, 3]", b'"a string"', b"42", b"not json {"])
def test_it_answers_400_to_a_signed_document_that_is_not_a_json_object(agent, document):
    before = _world()
    check_error(agent.exercise(agent.sign(document)), 400)
    assert _world() == before


def test_it_refuses_requests_without_a_valid_bearer_token(agent, alice_account):
    body = agent.sign(agent.envelope(**_access()))
    agent.token = "forged-token"
    before = _world()
    check_error(agent.exercise(body), 403)
    check_error(agent.agent_info(), 403)
    agent.token = ""
    check_error(agent.exercise(body), 403)
    assert _world() == before


@pytest.mark.parametrize("claims", [
    {"exercise": "rectification"},
    {"exercise": "access", "email": "not-an-email", "email_verified": True},
    {"exercise": "access", "email_verified": True},
    {"exercise": "access", "email": "alice@example.jp", "email_verified": "yes"},
    {"exercise": "access", "email": "alice@example.jp", "phone_number": "090-1234-5678"},
    {"exercise": "access", "email": "alice@example.jp", "status_callback": "https://127.0.0.1/x"},
    {"exercise": "access", "email": "alice@example.jp", "relationships": "customer"},
])
def test_it_answers_400_to_bad_exercise_content_naming_the_problem(agent, alice_account,
                                                                   settings, claims):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    before = _world()
    check_error(agent.exercise(**claims), 400)
    assert _world() == before


def test_an_inactive_agent_can_no_longer_use_its_token(agent, alice_account):
    from agents_app.services import agent_save

    agent_save(agent_id=agent.agent_id, fields={"active": False}, actor=None)
    before = _world()
    check_error(agent.exercise(**_access()), 403)
    assert agent.key_setup().status_code == 403
    assert _world() == before
