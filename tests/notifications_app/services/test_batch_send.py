"""Rows committed together are sent together: one task, one claim, one provider connection,
without giving up one-email-per-row, exactly-once sending or per-row retries."""

import pytest
from django.db import transaction

from ccucaas_privacy.celery import app as celery_app
from notifications_app.models import OutboundEmail, Status
from notifications_app.services.outbox import notification_queue
from notifications_app.services.sending import outbound_emails_send
from notifications_app.tasks import send_outbound_emails
from tests.notifications_app.backends import FlakyAnymailBackend
from tests.notifications_app.conftest import committed, queue_rolled_back

NOTICE = {"title": "メンテナンスのお知らせ", "body": "12月1日に作業を行います。"}
pytestmark = pytest.mark.django_db


def queue_many(users, *, cause: str = "maintenance") -> list[OutboundEmail]:
    with committed(), transaction.atomic():  # one caller transaction for every row
        return [notification_queue(kind="administrative_notice", cause=cause, context=NOTICE,
                                   user=user) for user in users]


@pytest.fixture
def published(monkeypatch) -> list[list[int]]:
    """The id lists handed to the batch task after each commit (the real task still runs)."""
    calls: list[list[int]] = []
    original = send_outbound_emails.delay

    def delay(ids):
        calls.append(list(ids))
        return original(ids)

    monkeypatch.setattr(send_outbound_emails, "delay", delay)
    return calls


def test_rows_of_one_transaction_go_to_workers_in_one_task(make_user, outbox, published):
    users = [make_user(f"user{n}") for n in range(5)]
    rows = queue_many(users)
    assert published == [[row.pk for row in rows]]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert [m.to for m in outbox] == [[u.email] for u in users]  # in queue order


def test_a_big_transaction_is_split_into_tasks_of_send_batch_rows(make_user, outbox, published,
                                                                  settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SEND_BATCH": 2}
    rows = queue_many([make_user(f"user{n}") for n in range(5)])
    ids = [row.pk for row in rows]
    assert published == [ids[0:2], ids[2:4]]  # the single last row goes to the one-row task
    assert len(outbox) == 5


def test_a_rolled_back_transaction_hands_nothing_over(make_user, outbox, published):
    users = [make_user(f"user{n}") for n in range(3)]
    with committed():
        try:
            with transaction.atomic():
                for user in users:
                    notification_queue(kind="administrative_notice", cause="x", context=NOTICE,
                                       user=user)
                raise RuntimeError("the caller's change failed")
        except RuntimeError:
            pass
    assert published == [] and outbox == []
    assert not OutboundEmail.objects.exists()


def test_a_second_delivery_of_the_batch_task_sends_nothing_twice(make_user, outbox):
    rows = queue_many([make_user(f"user{n}") for n in range(3)])
    assert len(outbox) == 3
    assert outbound_emails_send(outbound_email_ids=[row.pk for row in rows]) == 0
    assert len(outbox) == 3


def test_one_failing_row_is_retried_alone_while_the_others_are_sent(make_user, outbox, settings):
    users = [make_user(f"user{n}") for n in range(3)]
    FlakyAnymailBackend.failures, FlakyAnymailBackend.status_code = 1, 503
    settings.EMAIL_BACKEND = "tests.notifications_app.backends.FlakyAnymailBackend"
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False  # as in a worker: the retry runs on its own
    try:
        rows = queue_many(users)
    finally:
        celery_app.conf.task_eager_propagates = propagates
        FlakyAnymailBackend.failures = 0
    for row in rows:
        row.refresh_from_db()
    # The first send answered 503: that row was put back and retried on its own (eagerly here).
    assert [row.status for row in rows] == [Status.SENT] * 3
    assert [row.attempts for row in rows] == [2, 1, 1]
    assert len(outbox) == 3


def test_a_row_of_a_rolled_back_savepoint_is_not_handed_over_with_the_others(make_user, outbox,
                                                                           published):
    kept, dropped, later = (make_user(name) for name in ("kept", "dropped", "later"))
    with committed(), transaction.atomic():
        first = notification_queue(kind="administrative_notice", cause="sp", context=NOTICE,
                                   user=kept)
        queue_rolled_back(kind="administrative_notice", cause="sp", context=NOTICE, user=dropped)
        last = notification_queue(kind="administrative_notice", cause="sp", context=NOTICE,
                                  user=later)
    assert published == [[first.pk, last.pk]]
    assert [m.to for m in outbox] == [[kept.email], [later.email]]
