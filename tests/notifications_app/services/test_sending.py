"""Sending: claimed once, retried on transient errors, failed with a reason on permanent ones,
re-queued by the sweep when the broker was down at commit time (tasks eager here; the same
with a real broker and worker in test_live_worker.py)."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail
from django.test import override_settings

from ccucaas_privacy import clock
from ccucaas_privacy.celery import app as celery_app
from notifications_app.delivery_errors import is_transient
from notifications_app.models import OutboundEmail, Status
from notifications_app.services.sending import outbound_email_send
from notifications_app.tasks import send_outbound_email
from tests.notifications_app.backends import FlakyAnymailBackend, unavailable_response
from tests.notifications_app.conftest import broker_unreachable, queue, sweep

pytestmark = pytest.mark.django_db

NOTICE = {"title": "Maintenance", "body": "Sunday 02:00-04:00 JST."}
FLAKY = "tests.notifications_app.backends.FlakyAnymailBackend"


@pytest.fixture
def flaky():
    """A provider that fails `failures` times. Eager retries run at once (without waiting for
    the countdown) when eager errors do not propagate, as in a worker."""
    FlakyAnymailBackend.failures, FlakyAnymailBackend.status_code = 0, 503
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        with override_settings(EMAIL_BACKEND=FLAKY):
            yield FlakyAnymailBackend
    finally:
        FlakyAnymailBackend.failures = 0
        celery_app.conf.task_eager_propagates = propagates


def _queue(user, cause="maintenance"):
    return queue(kind="administrative_notice", cause=cause, context=NOTICE,
                              user=user)


def test_a_transient_provider_error_is_retried_and_then_sent(alice, outbox, flaky):
    flaky.failures = 2  # the ESP answers 503 twice, then accepts
    row = _queue(alice)
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 3
    assert len(outbox) == 1
    assert row.provider_message_id == "0"  # anymail's test backend: index in the outbox


def test_the_retry_countdown_grows_exponentially_and_stays_in_minutes(alice, outbox, flaky):
    flaky.failures = 1
    with broker_unreachable():  # keep the retry from running at once: we look at the row
        row = _queue(alice)
    before = clock.now()
    with pytest.raises(Exception, match="ESP unavailable"):
        send_outbound_email.apply(args=[row.pk], throw=True, retries=0)
    row.refresh_from_db()
    assert row.status == Status.QUEUED
    assert row.attempts == 1
    assert "503" in row.last_error
    assert timedelta(seconds=10) <= row.next_attempt_at - before <= timedelta(seconds=15)
    assert outbox == []


def test_a_permanent_provider_error_marks_the_email_failed_with_the_reason(alice, outbox, flaky):
    flaky.failures, flaky.status_code = 1, 422
    row = _queue(alice)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.attempts == 1
    assert "AnymailAPIError" in row.last_error and "422" in row.last_error
    assert outbox == []


@override_settings(NOTIFICATIONS={**__import__("django.conf").conf.settings.NOTIFICATIONS,
                                  "MAX_ATTEMPTS": 3})
def test_a_transient_error_that_never_ends_fails_after_the_last_attempt(alice, outbox, flaky):
    flaky.failures = 99
    row = _queue(alice)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.attempts == 3
    assert "503" in row.last_error
    assert outbox == []


def test_a_duplicate_task_delivery_sends_once(alice, outbox):
    row = _queue(alice)
    assert len(outbox) == 1
    # The broker redelivers the same message (acks_late) and a sweep enqueues it again.
    send_outbound_email.delay(row.pk)
    send_outbound_email.delay(row.pk)
    assert outbound_email_send(outbound_email_id=row.pk) is None
    assert len(outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_broker_outage_at_commit_then_the_sweep_sends_every_row_exactly_once(
        alice, bob, make_user, outbox, caplog):
    carol = make_user("carol", language="en")
    with broker_unreachable():
        rows = [_queue(user, cause="outage") for user in (alice, bob, carol)]
    assert caplog.text.count("Broker unavailable") == 3
    # Committed, not lost, not sent.
    assert [r.status for r in OutboundEmail.objects.all()] == [Status.QUEUED] * 3
    assert outbox == []
    assert sweep() == 0  # too fresh: the task may still be on its way
    with time_machine.travel(clock.now() + timedelta(minutes=6), tick=False):
        assert sweep() == 3
        assert sweep() == 0
    assert sorted(m.to[0] for m in outbox) == sorted(r.recipient_email for r in rows)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}


def test_the_sweep_requeues_a_row_whose_worker_died_while_sending(alice, outbox):
    with broker_unreachable():
        row = _queue(alice)
    claimed_at = clock.now()
    OutboundEmail.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=1,
                                                   claimed_at=claimed_at)
    with time_machine.travel(claimed_at + timedelta(minutes=5), tick=False):
        assert sweep() == 0  # may still be sending: the time limit is 5 min
    with time_machine.travel(claimed_at + timedelta(minutes=11), tick=False):
        assert sweep() == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 2
    assert len(outbox) == 1


def test_sent_failed_and_suppressed_rows_are_never_swept(alice, bob, outbox, flaky):
    _queue(alice, cause="sent")
    flaky.failures, flaky.status_code = 1, 400
    _queue(alice, cause="failed")
    queue(kind="marketing_announcement", cause="news", user=bob,
                       context={"headline": "x", "summary": "y"})
    assert sorted(OutboundEmail.objects.values_list("status", flat=True)) == [
        Status.FAILED, Status.SENT, Status.SUPPRESSED]
    with time_machine.travel(clock.now() + timedelta(days=2), tick=False):
        assert sweep() == 0
    assert len(mail.outbox) == 1


def _api_error(status: int | None):
    if status is None:
        return AnymailAPIError("connection refused")
    response = unavailable_response()
    response.status_code = status
    return AnymailAPIError("ESP said no", status_code=status, response=response)


@pytest.mark.parametrize(("make_error", "transient"), [
    (lambda: _api_error(None), True),
    (lambda: _api_error(503), True),
    (lambda: _api_error(429), True),
    (lambda: _api_error(400), False),
    (lambda: _api_error(401), False),
    (lambda: smtplib.SMTPServerDisconnected("gone"), True),
    (lambda: smtplib.SMTPResponseException(451, b"try later"), True),
    (lambda: smtplib.SMTPResponseException(550, b"no such user"), False),
    (lambda: smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), False),
    (lambda: smtplib.SMTPRecipientsRefused({"a@x": (452, b"full")}), True),
    (lambda: ConnectionRefusedError(111, "refused"), True),
    (lambda: TimeoutError("timed out"), True),
    (lambda: AnymailRecipientsRefused(), False),
    (lambda: ValueError("bad template data"), False),
], ids=["api-connection", "api-503", "api-429", "api-400", "api-401", "smtp-disconnected",
        "smtp-451", "smtp-550", "smtp-all-refused-5xx", "smtp-refused-4xx", "socket-refused",
        "timeout", "anymail-recipients-refused", "programming-error"])
def test_which_send_errors_are_transient(make_error, transient):
    assert is_transient(make_error()) is transient
