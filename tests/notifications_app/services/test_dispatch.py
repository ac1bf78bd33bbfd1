"""Coalesced dispatch (notifications_app/dispatch.py) against a real Redis broker: commits
publish one drain while a drain is pending, the drain sends every row that is due, and no row
is ever left without a drain after it (marker `services`)."""

import json
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction

from ccucaas_privacy import clock
from ccucaas_privacy.celery import app as celery_app
from notifications_app.models import OutboundEmail, Status
from notifications_app.services import dispatch
from notifications_app.services.outbox import notification_queue
from notifications_app.services.sending import outbox_drain
from tests.notifications_app.conftest import committed, queue_rolled_back

pytestmark = [pytest.mark.services, pytest.mark.django_db]

NOTICE = {"title": "メンテナンスのお知らせ", "body": "12月1日 02:00-04:00 JST"}
DRAIN_TASK = "notifications_app.tasks.drain_outbox"


@contextmanager
def published_for_real():
    """Tasks go to the Redis broker (not eager), as in production; nothing consumes them."""
    conf = celery_app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    celery_app.control.purge()
    dispatch._redis().delete(dispatch.DRAIN_KEY)
    try:
        yield
    finally:
        conf.task_always_eager = eager
        celery_app.control.purge()
        dispatch._redis().delete(dispatch.DRAIN_KEY)


def published_tasks() -> list[str]:
    """Names of the task messages waiting in the default queue."""
    raw = dispatch._redis().lrange("celery", 0, -1)
    return [json.loads(message)["headers"]["task"] for message in raw]


def queue_committed(user, cause: str) -> OutboundEmail:
    with committed(), transaction.atomic():
        return notification_queue(kind="administrative_notice", cause=cause, context=NOTICE,
                                  user=user)


def test_with_a_redis_broker_committed_rows_are_dispatched_by_drains():
    with published_for_real():
        assert dispatch.dispatch_mode() == "drain"
    assert dispatch.dispatch_mode() == "rows"  # eager tests: one task per commit, as before


def test_commits_while_a_drain_is_pending_publish_it_once_and_it_sends_them_all(
        make_user, outbox):
    users = [make_user(f"user{n}") for n in range(3)]
    with published_for_real():
        rows = [queue_committed(user, cause=f"notice-{n}") for n, user in enumerate(users)]
        assert published_tasks() == [DRAIN_TASK]  # three commits, one publish

        assert outbox_drain() == 3  # what the worker runs for that one message
        assert [m.to for m in outbox] == [[u.email] for u in users]
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}
        assert not dispatch._redis().exists(dispatch.DRAIN_KEY)

        # A commit after the drain started finds no flag: it publishes the next drain.
        later = queue_committed(users[0], cause="after-the-drain")
        assert published_tasks() == [DRAIN_TASK, DRAIN_TASK]
        assert outbox_drain() == 1
        assert outbox_drain() == 0  # a second delivery of a drain sends nothing twice
    assert {m.to[0] for m in outbox} == {u.email for u in users}
    assert len(outbox) == 4 and later.pk not in {r.pk for r in rows}


def test_a_drain_that_was_lost_stops_nothing_once_its_flag_expires(make_user, outbox, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "DRAIN_PENDING_SECONDS": 1}
    alice = make_user("carol")
    with published_for_real():
        queue_committed(alice, cause="first")
        assert published_tasks() == [DRAIN_TASK]
        celery_app.control.purge()  # the drain message is lost; its flag stays for a second
        queue_committed(alice, cause="second")
        assert published_tasks() == []
        time.sleep(1.2)
        queue_committed(alice, cause="third")
        assert published_tasks() == [DRAIN_TASK]
        assert outbox_drain() == 3  # the next drain sends what the lost one would have


def test_the_drain_leaves_a_row_waiting_for_its_retry(make_user, outbox):
    waiting, fresh = make_user("waiting"), make_user("fresh")
    with published_for_real():
        retry = queue_committed(waiting, cause="retry")
        OutboundEmail.objects.filter(pk=retry.pk).update(
            attempts=1, next_attempt_at=clock.now() + timedelta(minutes=2))
        queue_committed(fresh, cause="fresh")
        assert outbox_drain() == 1
    assert [m.to for m in outbox] == [[fresh.email]]
    retry.refresh_from_db()
    assert retry.status == Status.QUEUED and retry.attempts == 1


def test_a_rolled_back_transaction_publishes_nothing(make_user):
    user = make_user("dave")
    with published_for_real():
        with committed():
            queue_rolled_back(kind="administrative_notice", cause="x", context=NOTICE, user=user)
        assert published_tasks() == []
        assert not dispatch._redis().exists(dispatch.DRAIN_KEY)


def test_a_full_batch_hands_the_rest_to_the_next_drain_for_another_worker(
        make_user, outbox, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SEND_BATCH": 2}
    users = [make_user(f"user{n}") for n in range(5)]
    with published_for_real():
        with committed(), transaction.atomic():
            for user in users:
                notification_queue(kind="administrative_notice", cause="burst", context=NOTICE,
                                   user=user)
        assert published_tasks() == [DRAIN_TASK]
        celery_app.control.purge()
        # each drain claims a batch, publishes the next drain (another worker's), then sends
        assert [outbox_drain(), len(published_tasks())] == [2, 1]
        celery_app.control.purge()
        assert [outbox_drain(), len(published_tasks())] == [2, 1]
        celery_app.control.purge()
        assert [outbox_drain(), len(published_tasks())] == [1, 0]
    assert sorted(m.to[0] for m in outbox) == sorted(u.email for u in users)


def test_the_flag_client_comes_back_after_redis_drops_its_connection_and_no_commit_goes_unsent(
        make_user, outbox):
    """Redis drops the connection the flag's SET NX uses (CLIENT KILL, as a Redis restart or an
    idle timeout would): the client's own reconnect serves the next commit, which finds the
    flag the first commit set; every row is sent by the drain."""
    import redis

    user = make_user("erin")
    with published_for_real():
        queue_committed(user, cause="before")
        assert published_tasks() == [DRAIN_TASK]
        flag_client = dispatch._redis()
        connection_id = flag_client.client_id()  # the thread's pooled connection, idle again
        killer = redis.Redis.from_url(celery_app.conf.broker_url)
        assert killer.client_kill_filter(_id=connection_id) == 1
        killer.close()

        queue_committed(user, cause="while-dropped")
        assert published_tasks() == [DRAIN_TASK]  # the flag is still set: no second publish
        assert flag_client.client_id() != connection_id  # a new connection, same client
        queue_committed(user, cause="after")
        assert published_tasks() == [DRAIN_TASK]
        assert outbox_drain() == 3
    assert len(outbox) == 3


def test_a_redis_that_cannot_be_reached_still_gets_every_commit_a_drain(make_user, outbox,
                                                                       monkeypatch):
    """The flag's Redis is down (nothing listens): the SET NX fails after the client's retries,
    and the commit publishes a drain anyway rather than leave its row waiting."""
    user = make_user("frank")
    with published_for_real():
        with monkeypatch.context() as patched:
            patched.setattr(dispatch, "_flag_url", lambda: "redis://127.0.0.1:1/0")
            queue_committed(user, cause="flag-down")
        assert published_tasks() == [DRAIN_TASK]
        assert not dispatch._redis().exists(dispatch.DRAIN_KEY)
        assert outbox_drain() == 1
    assert len(outbox) == 1


def test_threads_committing_at_once_share_one_client_and_exactly_one_sets_the_flag():
    import threading

    barrier = threading.Barrier(8)
    results, clients = [], set()

    def commit():
        barrier.wait()
        results.append(dispatch._flag_set())
        clients.add(id(dispatch._redis()))

    with published_for_real():
        threads = [threading.Thread(target=commit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False] * 7 + [True]
        assert len(clients) == 1
        assert dispatch._redis().exists(dispatch.DRAIN_KEY)
        assert 0 < dispatch._redis().ttl(dispatch.DRAIN_KEY) <= \
            settings_value("DRAIN_PENDING_SECONDS")


def settings_value(name: str):
    from django.conf import settings

    return settings.NOTIFICATIONS[name]
