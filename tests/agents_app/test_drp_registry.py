"""The agent registry (spec 3.05.1): imported from the directory's agents.json, editable by
privacy officers only, every change logged; bad input changes nothing."""

import base64
import json

import nacl.signing
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db


def _key() -> str:
    return base64.b64encode(bytes(nacl.signing.SigningKey.generate().verify_key)).decode()


def _entry(agent_id="CR_AGENT", **extra):
    return {"id": agent_id, "name": "Consumer Reports", "verify_key": _key(),
            "web_url": "https://cr.example", "identity_assurance_url": "https://cr.example/ia",
            "technical_contact": "tech@cr.example", "business_contact": "biz@cr.example", **extra}


@pytest.fixture
def officer_client(make_user, staff_sign_in):
    user = make_user("po", email="po@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Privacy officer"))
    return staff_sign_in(Client(), user), user


@pytest.fixture
def support_client(make_user, staff_sign_in):
    user = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Support agent"))
    return staff_sign_in(Client(), user)


def test_it_imports_agents_json_and_logs_each_change(officer_client):
    from agents_app.models import Agent, AgentChange

    client, officer = officer_client
    upload = SimpleUploadedFile("agents.json", json.dumps([_entry(), _entry("OTHER")]).encode())
    response = client.post("/admin/agents_app/agent/import/", {"file": upload})
    assert response.status_code == 302
    assert set(Agent.objects.values_list("agent_id", flat=True)) == {"CR_AGENT", "OTHER"}
    change = AgentChange.objects.filter(agent__agent_id="CR_AGENT").get()
    assert change.actor == officer and change.action == "import"
    assert change.changes["name"] == [None, "Consumer Reports"]


def test_a_bad_entry_refuses_the_whole_file_and_names_it(officer_client):
    from agents_app.models import Agent

    client, _officer = officer_client
    bad = json.dumps([_entry(), _entry("BROKEN", verify_key="not-a-key")]).encode()
    response = client.post("/admin/agents_app/agent/import/",
                           {"file": SimpleUploadedFile("agents.json", bad)})
    assert response.status_code == 200 and "2 件目" in response.content.decode()  # ja default
    assert not Agent.objects.exists()


def test_an_officers_edit_in_the_admin_is_logged_and_a_new_key_revokes_tokens(officer_client):
    from agents_app import services
    from agents_app.models import AgentToken

    client, officer = officer_client
    agent = services.agents_import(document=_entry(), actor=None)[0]
    AgentToken.objects.create(agent=agent, token_hash="0" * 64)
    data = {"name": "CR (renamed)", "verify_key": _key(), "web_url": "", "active": "on",
            "identity_assurance_url": "", "technical_contact": "", "business_contact": "",
            "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "1"}
    response = client.post(f"/admin/agents_app/agent/{agent.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.name == "CR (renamed)"
    last = agent.changes.order_by("-id").first()
    assert last.actor == officer and set(last.changes) >= {"name", "verify_key"}
    assert AgentToken.objects.get().revoked_at is not None


def test_support_agents_cannot_see_or_change_the_registry(support_client):
    assert support_client.get("/admin/agents_app/agent/").status_code == 403
    assert support_client.get("/admin/agents_app/agent/import/").status_code == 403


def test_the_registry_log_is_append_only(officer_client):
    from agents_app import services
    from agents_app.models import AgentChange
    from ccucaas_privacy.evidence import AppendOnlyError

    services.agents_import(document=_entry(), actor=None)
    with pytest.raises(AppendOnlyError):
        AgentChange.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AgentChange.objects.all().delete()
