"""Status callbacks (spec 2.03) reach the agent's server on 127.0.0.1 through rows and the
sweep, retried with backoff until a 200 (never a Celery ETA); each attempt is recorded. And an
agent's access request completed end to end: staff see it in the admin with the agent named,
reply, and the package is reachable through `results_url` by the verified person only."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client

from tests.agents_app.conftest import person
from tests.agents_app.drp_agent import check_status

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.jp", language="en")


def _sweep():
    from agents_app.callbacks import drp_sweep

    return drp_sweep()


def _attempts(request_id) -> list:
    from agents_app.models import CallbackAttempt

    return list(CallbackAttempt.objects.filter(callback__drp_request_id=request_id)
                .order_by("created_at", "id").values_list("http_status", flat=True))


def test_a_status_change_is_called_back_and_retried_with_backoff_until_200(
        agent, alice, callback_server):
    from agents_app.models import StatusCallback
    from ccucaas_privacy import clock

    callback_server.fail_next = 2
    status = agent.exercise(exercise="deletion", status_callback=callback_server.url,
                            **person("alice@example.jp")).json()
    assert _attempts(status["request_id"]) == [503]  # delivered at once after commit
    start = clock.now()
    assert _sweep()["due"] == 0  # the backoff is a row's next_attempt_at, not an ETA
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        _sweep()
    with time_machine.travel(start + timedelta(seconds=61 + 121), tick=False):
        _sweep()
        _sweep()  # nothing left to send: idempotent
    assert _attempts(status["request_id"]) == [503, 503, 200]
    row = StatusCallback.objects.get(drp_request_id=status["request_id"])
    assert row.state == "delivered" and row.attempts == 3
    assert callback_server.statuses() == ["in_progress"]


def test_a_revoke_is_called_back_and_a_staff_change_is_found_by_the_sweep(
        agent, alice, callback_server):
    from requests_app.services import transitions as services

    one = agent.exercise(exercise="deletion", status_callback=callback_server.url,
                         **person("alice@example.jp")).json()
    agent.revoke(one["request_id"], reason="no")
    two = agent.exercise(exercise="access", status_callback=callback_server.url,
                         **person("alice@example.jp")).json()
    from agents_app.models import DrpRequest

    dsr = DrpRequest.objects.get(pk=two["request_id"]).request
    services.request_reject(request=dsr, actor=None, reason="Duplicate of an earlier request.",
                            ground="request_unclear")
    assert callback_server.statuses() == ["in_progress", "revoked", "in_progress"]
    _sweep()
    last = callback_server.received[-1]["status"]
    assert (last["request_id"], last["status"], last["reason"]) == (two["request_id"], "denied",
                                                                    "other")
    assert last["processing_details"] == "Duplicate of an earlier request."
    _sweep()
    assert len(callback_server.received) == 4  # no change, no callback


@pytest.fixture
def officer_client(make_user, staff_sign_in):
    officer = make_user("po", email="po@ccucaas.example", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    return staff_sign_in(Client(), officer)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_an_agents_access_request_is_completed_end_to_end_for_the_verified_person_only(
        agent, alice, make_user, officer_client, callback_server, settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    status = agent.exercise(exercise="access", status_callback=callback_server.url,
                            **person("alice@example.jp")).json()
    from agents_app.models import DrpRequest

    dsr = DrpRequest.objects.get(pk=status["request_id"]).request
    change = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/change/"
    response = officer_client.get(change)
    assert "/staff/access-reason/" in response["Location"]  # P18: asked why, then logged
    officer_client.post(response["Location"], {"reason": "DRP access request"})
    page = officer_client.get(change).content.decode()
    assert "Agent TEST_AGENT" in page and dsr.reference in page
    officer_client.post(f"/admin/requests_app/datasubjectrequest/{dsr.pk}/act/reply/",
                        {"text": "Here is your data.", "confirmed": "yes"})
    dsr.refresh_from_db()
    assert dsr.status in ("replied", "completed")  # completed once the package is ready
    _sweep()
    dsr.refresh_from_db()
    assert dsr.status == "completed"
    fulfilled = check_status(callback_server.received[-1]["status"])
    assert fulfilled["status"] == "fulfilled"
    results = _path(fulfilled["results_url"])
    assert "/sign-in/" in Client().get(results)["Location"]
    bob = Client()
    bob.force_login(make_user("bob", email="bob@example.com"))
    assert bob.get(results).status_code == 404
    owner = Client()
    owner.force_login(alice)
    page = owner.get(results)
    assert page.status_code == 200
    link = re.search(r'id="package">.*?<a class="btn" href="([^"]+)"', page.content.decode(), re.S).group(1)
    assert bob.get(link).status_code == 404
    download = owner.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
