import email
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.test import TestCase

from ccucaas_privacy.celery import app as celery_app

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def committed():
    """Run what transaction.on_commit registered, as the commit of the caller's transaction
    would (each test runs in a transaction that is rolled back, so nothing commits by itself).
    Callbacks of a rolled-back block are dropped, exactly as in a real commit."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def queue(**kwargs):
    """notification_queue(...) in a transaction that commits."""
    from notifications_app.services.outbox import notification_queue

    with committed():
        return notification_queue(**kwargs)


def queue_rolled_back(**kwargs) -> None:
    """notification_queue(...) in an atomic block (a savepoint inside the caller's transaction)
    that then fails: the caller's change is rolled back with the queued row."""
    from django.db import transaction

    from notifications_app.services.outbox import notification_queue

    with pytest.raises(RuntimeError), transaction.atomic():
        notification_queue(**kwargs)
        raise RuntimeError("the caller's change failed")


def sweep() -> int:
    """One beat run of the sweep task, committed."""
    from notifications_app.tasks import sweep_outbox

    with committed():
        return sweep_outbox.delay().get()


def _reset_producer_pools() -> None:
    # What Celery itself does after a fork: the next publish builds pools from the settings.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """Publish for real (not eagerly) to a broker that refuses connections."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_write_url
    conf.task_always_eager = False
    conf.broker_write_url = DEAD_BROKER
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_write_url = saved
        _reset_producer_pools()


@pytest.fixture(autouse=True)
def anymail_test_backend(settings):
    """Django's setup_test_environment swaps in the locmem backend for every test; put back the
    test settings' anymail backend, which also records what anymail would send
    (`anymail_test_params`) and returns provider message IDs."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def outbox() -> list:
    """django.core.mail.outbox, emptied: anymail's test backend appends every sent message."""
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def grant_marketing():
    from consent_app.services import consent_grant

    def _grant(user):
        consent_grant(user=user, purpose="marketing_email", channel="portal")
        return user

    return _grant


def sent_files(folder: Path) -> list[email.message.Message]:
    """Every message Django's file backend wrote (one file per send, separated by dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.lstrip()))
    return messages


def message_id_counts(folder: Path) -> Counter:
    return Counter(message["Message-ID"] for message in sent_files(folder))


@pytest.fixture
def file_mail_worker(live_worker, tmp_path):
    """The live worker, restarted so that every email it sends is written to a file we can
    count (its default locmem backend keeps them inside the worker process)."""

    def _start(backend: str = "django.core.mail.backends.filebased.EmailBackend", **env: str):
        folder = tmp_path / "mail"
        folder.mkdir(exist_ok=True)
        live_worker.stop()
        live_worker.env = {**live_worker.env, "EMAIL_BACKEND": backend,
                           "EMAIL_FILE_PATH": str(folder), **env}
        live_worker.start()
        live_worker.mail_folder = folder
        return live_worker

    return _start


@pytest.fixture
def fake_postmark(settings):
    """A local server speaking Postmark's documented API (fakes/postmark.py), with anymail's
    Postmark backend pointed at it through its documented POSTMARK_API_URL setting."""
    from fakes.postmark import TOKEN, FakePostmark
    from notifications_app.esp import postmark_templates_forget

    postmark_templates_forget()  # templates of an earlier test's server do not exist here
    server = FakePostmark().start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": server.url,
                        "POSTMARK_SERVER_TOKEN": TOKEN}
    yield server
    server.stop()


@pytest.fixture
def fake_sendgrid(settings):
    """A local server speaking SendGrid's v3 Mail Send API (fakes/sendgrid.py), anymail's
    SendGrid backend pointed at it through SENDGRID_API_URL."""
    from fakes.sendgrid import API_KEY, FakeSendGrid

    server = FakeSendGrid().start()
    settings.EMAIL_BACKEND = "anymail.backends.sendgrid.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "SENDGRID_API_URL": server.url + "v3/",
                        "SENDGRID_API_KEY": API_KEY}
    yield server
    server.stop()
