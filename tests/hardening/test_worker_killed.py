"""Worker killed (P18, P21): a real worker is SIGKILLed while it sends a deletion to a service
provider (the provider holds the request open). A new worker, started "minutes later" (its clock
runs past the crashed worker's lease), finishes the propagation from beat's fulfilment sweep:
the provider sees the same idempotency key again and so accepts one request, every internal
source is erased once, and every email is sent exactly once."""

import os
import signal
import subprocess
import sys
import threading

import pytest
from django.urls import reverse

from ccucaas_privacy.celery import app as celery_app
from notifications_app.models import OutboundEmail
from notifications_app.models import Status as MailStatus
from requests_app.models import DataSubjectRequest, Processor, Propagation, RequestEvent, Status
from requests_app.services.propagation import LEASE
from tests.conftest import ROOT, storage_shared_with_worker, wait_for
from tests.notifications_app.conftest import message_id_counts
from tests.requests_app.fake_processor import FakeProcessor, rsa_key_and_certificate
from tests.requests_app.fulfilment_data import deletion_replied

pytestmark = [pytest.mark.services, pytest.mark.rule("P21"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class IdempotentProcessor(FakeProcessor):
    """The fake provider, holding its first request open until released, and keeping one
    request per idempotency key (OpenDSR `subject_request_id`), as a real provider must."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hold = threading.Event()
        self.holding = threading.Event()
        handler = self.server.RequestHandlerClass
        original = handler.do_POST
        processor = self

        def do_post(handler_self):
            if not processor.holding.is_set():
                processor.holding.set()
                processor.hold.wait(timeout=60)
            return original(handler_self)

        handler.do_POST = do_post

    def keys(self) -> list[str]:
        return [body["subject_request_id"] for body in self.bodies("/v1/requests")]


@pytest.fixture
def shared(settings, tmp_path, monkeypatch):
    """Folders, keys and mail files both workers share with the test."""
    mail = tmp_path / "mail"
    mail.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(mail))
    # The fake provider is on 127.0.0.1: the test and both workers may reach it (issue 17).
    storage_shared_with_worker(settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path,
                               private_endpoints=True)
    key, _cert = rsa_key_and_certificate()
    return {"key": key, "mail": mail}


def _start_worker(tmp_path, env, name: str) -> subprocess.Popen:
    log = (tmp_path / f"{name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.hardening.shifted_worker", "-A", "ccucaas_privacy",
         "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--hostname", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def test_p21_a_worker_killed_mid_propagation_leaves_work_a_new_worker_finishes_once(
        live_worker, shared, make_user, officer, client, tmp_path, run):
    from tests.conftest import subprocess_env

    # live_worker's process was started before `shared` set the environment: restart it.
    live_worker.stop()
    live_worker.env = subprocess_env(**_mail_env(shared))
    live_worker.start()
    with IdempotentProcessor(key=shared["key"]) as fake:
        processor = Processor.objects.create(name="Analytics Co", purpose="analytics",
                                             country="US", connector="opendsr",
                                             endpoint_url=fake.opendsr_url)
        request = deletion_replied(run, make_user, officer)

        # The worker is inside the provider call: kill it, the whole process group, hard.
        assert fake.holding.wait(timeout=60), live_worker.log()[-3000:]
        row = Propagation.objects.get(processor=processor)
        assert (row.status, row.attempts) == ("pending", 1)  # claimed, lease running
        live_worker.stop(signal.SIGKILL)
        fake.hold.set()
        assert "Task requests_app.tasks.propagation_run" in live_worker.log()

        # Minutes later a new worker runs beat's sweep; its clock is past the lease.
        env = subprocess_env(CLOCK_SHIFT_SECONDS=str(LEASE.total_seconds() + 120),
                             **_mail_env(shared))
        worker = _start_worker(tmp_path, env, "worker-b")
        try:
            celery_app.conf.task_always_eager = False
            celery_app.send_task("requests_app.tasks.fulfilment_sweep")
            wait_for(lambda: Propagation.objects.filter(request=request).exclude(
                status__in=["confirmed", "sent", "held"]).count() == 0,
                timeout=90, what="the new worker to finish every propagation")
            _finish(request, processor, fake, row, shared, client)
        finally:
            _stop(worker)
        log = (tmp_path / "worker-b.log").read_text(errors="replace")
        assert "requests_app.tasks.fulfilment_sweep" in log and "succeeded" in log


def _mail_env(shared) -> dict[str, str]:
    return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(shared["mail"])}


def _finish(request, processor, fake, row, shared, client) -> None:
    # One request at the provider: a second delivery carried the same idempotency key.
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
    keys = wait_for(lambda: len(fake.keys()) == 2 and fake.keys(), timeout=10,
                    what="both deliveries to be recorded")
    assert keys == [str(row.public_id)] * 2  # delivered twice, accepted once
    # Each internal source erased once (one attempt each, one confirmation event each).
    sources = Propagation.objects.filter(request=request, processor=None)
    assert set(sources.values_list("status", flat=True)) <= {"confirmed", "held"}
    assert set(sources.values_list("attempts", flat=True)) <= {1}
    assert RequestEvent.objects.filter(request=request, action="fulfilment_start").count() == 1

    # The provider confirms; the request completes.
    body, headers = fake.opendsr_callback(row, key=shared["key"])  # §8.6, as sent
    response = client.post(reverse("fulfilment-callback", args=[processor.pk]), data=body,
                           content_type="application/json",
                           headers={k: v for k, v in headers.items() if k != "Content-Type"})
    assert response.status_code == 200
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.COMPLETED

    # Every email was sent exactly once, across both workers.
    wait_for(lambda: not OutboundEmail.objects.exclude(status=MailStatus.SENT).exists(),
             timeout=60, what="every email to be sent")
    counts = message_id_counts(shared["mail"])
    expected = {f"<{public_id}@ccucaas.example>"
                for public_id in OutboundEmail.objects.values_list("public_id", flat=True)}
    assert expected and set(counts) == expected
    assert set(counts.values()) == {1}, counts
