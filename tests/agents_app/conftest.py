"""Fixtures of the DRP tests: a live server, our business id, and registered test agents."""

import pytest

from tests.agents_app.drp_agent import CallbackServer, DrpAgent

BUSINESS_ID = "CCUCAAS_TEST"


@pytest.fixture
def drp_settings(settings, live_server):
    settings.DRP = {**settings.DRP, "BUSINESS_ID": BUSINESS_ID}
    settings.SITE_URL = live_server.url
    # The callback server is on 127.0.0.1 (ccucaas_privacy.outbound refuses it otherwise).
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    return settings


@pytest.fixture
def register_agent(drp_settings, live_server):
    from agents_app.services import agent_save

    def _register(agent_id: str = "TEST_AGENT", *, setup: bool = True) -> DrpAgent:
        agent = DrpAgent(f"{live_server.url}/drp", agent_id=agent_id, business_id=BUSINESS_ID)
        agent_save(agent_id=agent_id, actor=None,
                   fields={"name": f"Agent {agent_id}", "verify_key": agent.verify_key})
        if setup:
            assert agent.key_setup().status_code == 200
        return agent

    return _register


@pytest.fixture
def agent(register_agent) -> DrpAgent:
    return register_agent()


@pytest.fixture
def callback_server():
    with CallbackServer() as server:
        yield server


def person(email: str, *, verified: bool = True, **extra) -> dict:
    return {"name": "Alice Example", "email": email, "email_verified": verified, **extra}
