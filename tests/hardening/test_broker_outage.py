"""Broker outage (P18, DESIGN.md section 10): with the Redis broker down the portal and the API
still accept requests, their emails wait in the outbox and /healthz says the broker is down;
when Redis returns, the outbox sweep hands the waiting rows to a real worker and every email is
sent exactly once.

Everything is real: a private redis-server on a spare port (the machine's shared Redis is never
touched), the app served by gunicorn, a Celery worker, the test database.
"""

import subprocess
import sys

import pytest
import requests

from notifications_app.models import OutboundEmail, Status
from requests_app.models import DataSubjectRequest
from tests.conftest import ROOT, LiveWorker, subprocess_env, wait_for
from tests.hardening.services import AppServer, PrivateRedis, csrf_post
from tests.notifications_app.conftest import message_id_counts

pytestmark = [pytest.mark.services, pytest.mark.rule("P18"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def stack(tmp_path):
    """Private Redis + gunicorn + a worker writing every email it sends to files."""
    redis = PrivateRedis(tmp_path).start()
    mail = tmp_path / "mail"
    mail.mkdir()
    env = subprocess_env(CELERY_BROKER_URL=redis.url,
                         EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                         EMAIL_FILE_PATH=str(mail), CELERY_BROKER_CONNECTION_TIMEOUT="1")
    server = AppServer(tmp_path, env).start()
    worker = LiveWorker(tmp_path, env).start()
    try:
        yield redis, server, worker, mail, env
    finally:
        worker.stop()
        server.stop()
        redis.stop()


def _sweep(env: dict[str, str]) -> int:
    """One run of beat's minute-ly outbox sweep, in its own process (as beat's worker runs it);
    rows queued longer than 0 s count as stale so the test need not wait five minutes."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from notifications_app.tasks import sweep_outbox; print(sweep_outbox())"],
        cwd=ROOT, env={**env, "NOTIFICATIONS_STALE_QUEUED_SECONDS": "0"},
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return int(result.stdout.strip().splitlines()[-1])


def _file_api_request(server: AppServer, token: str, subject: str) -> requests.Response:
    return requests.post(server.url + "/api/v1/requests/",
                         json={"type": "inquiry",
                               "details": {"subject": subject, "message": "本文"}},
                         headers={"Authorization": f"Token {token}"}, timeout=30)


def _helpdesk(server: AppServer, email: str) -> requests.Response:
    return csrf_post(requests.Session(), server.url + "/en/help-desk/", {
        "name": "Guest", "email": email, "type": "inquiry", "subject": "Question",
        "message": "What do you keep about me?"})


def test_p18_broker_down_requests_accepted_emails_wait_then_each_is_sent_once(stack, make_user):
    redis, server, worker, mail, env = stack
    from accounts_app.services.accounts import auth_token_issue

    tokens = [auth_token_issue(user=make_user(name, language=language))
              for name, language in (("carol", "en"), ("dave", "ja"), ("erin", "en"))]

    # Broker up: the usual path, the worker sends at once.
    assert _file_api_request(server, tokens[0], "before the outage").status_code == 201
    wait_for(lambda: OutboundEmail.objects.filter(status=Status.SENT).count() == 1,
             timeout=60, what="the first email to be sent")
    health = requests.get(server.url + "/healthz", timeout=10)
    assert (health.status_code, health.json()) == (200, {"database": "ok", "broker": "ok"})

    redis.stop()
    health = requests.get(server.url + "/healthz", timeout=30)
    assert (health.status_code, health.json()) == (503, {"database": "ok", "broker": "down"})
    during = [_file_api_request(server, token, "during the outage") for token in tokens[1:]]
    assert [r.status_code for r in during] == [201, 201], [r.text[:500] for r in during]
    page = _helpdesk(server, "guest@example.org")
    assert page.status_code == 200 and "entered the code" in page.text, page.text[-1500:]
    assert DataSubjectRequest.objects.count() == 4
    waiting = OutboundEmail.objects.exclude(status=Status.SENT)
    assert waiting.count() >= 3  # a received email per API request, a code for the guest
    assert set(waiting.values_list("status", flat=True)) == {Status.QUEUED}

    redis.start()  # same port: the worker reconnects by itself
    wait_for(lambda: requests.get(server.url + "/healthz", timeout=10).status_code == 200,
             timeout=30, what="/healthz to see the broker again")
    assert _sweep(env) == waiting.count()
    total = OutboundEmail.objects.count()
    wait_for(lambda: OutboundEmail.objects.filter(status=Status.SENT).count() == total,
             timeout=90, what="the worker to send every waiting email")
    assert _sweep(env) == 0  # nothing left behind, nothing handed over twice

    counts = message_id_counts(mail)
    expected = {f"<{public_id}@ccucaas.example>"
                for public_id in OutboundEmail.objects.values_list("public_id", flat=True)}
    assert set(counts) == expected, worker.log()[-3000:]
    assert set(counts.values()) == {1}
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
