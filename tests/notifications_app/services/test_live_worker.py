"""The outbox against a real Redis broker and a real Celery worker (marker `services`)."""

from datetime import timedelta

import pytest
import time_machine

from ccucaas_privacy import clock
from notifications_app.models import OutboundEmail, Status
from notifications_app.services.outbox import notification_queue
from notifications_app.tasks import sweep_outbox
from tests.conftest import wait_for
from tests.notifications_app.conftest import broker_unreachable, message_id_counts

pytestmark = [pytest.mark.services,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOTICE = {"title": "Scheduled maintenance", "body": "Sunday 02:00-04:00 JST."}


def _all_sent(count: int):
    return OutboundEmail.objects.filter(status=Status.SENT).count() == count


def test_broker_outage_at_commit_then_the_sweep_sends_every_row_exactly_once(
        file_mail_worker, make_user, caplog):
    worker = file_mail_worker()
    users = [make_user(f"user{i}", language="en" if i % 2 else "ja") for i in range(5)]
    with broker_unreachable():  # the publish after commit is refused
        rows = [notification_queue(kind="administrative_notice", cause="maintenance",
                                   context=NOTICE, user=user) for user in users]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert caplog.text.count("Broker unavailable") == 5

    # Beat's next minute-ly runs, a few minutes later, with the broker back.
    later = clock.now() + timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        assert sweep_outbox.apply().get() == 5
    wait_for(lambda: _all_sent(5), timeout=60, what="the worker to send all five emails")
    with time_machine.travel(later + timedelta(minutes=6), tick=False):
        assert sweep_outbox.apply().get() == 0  # nothing stuck, nothing sent again

    expected = {f"<{row.public_id}@ccucaas.example>" for row in rows}
    counts = message_id_counts(worker.mail_folder)
    assert set(counts) == expected, worker.log()
    assert set(counts.values()) == {1}
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}


def test_a_send_that_raises_a_transient_error_is_retried_by_the_worker_and_then_sent(
        file_mail_worker, alice):
    worker = file_mail_worker(
        "tests.notifications_app.backends.FirstTryDisconnectsFileBackend",
        NOTIFICATIONS_RETRY_BASE_SECONDS="1")
    row = notification_queue(kind="administrative_notice", cause="retry", context=NOTICE,
                             user=alice)
    wait_for(lambda: _all_sent(1), timeout=60, what="the retried email to be sent")
    row.refresh_from_db()
    assert row.attempts == 2
    assert "SMTPServerDisconnected" in worker.log()
    assert message_id_counts(worker.mail_folder) == {f"<{row.public_id}@ccucaas.example>": 1}
