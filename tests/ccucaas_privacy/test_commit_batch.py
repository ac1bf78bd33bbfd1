"""ccucaas_privacy.commit_batch: what a transaction collected is handed over once, after its
commit, and only what its kept savepoints collected (real commits and rollbacks here)."""

import threading

import pytest
from django.db import connection, transaction

from ccucaas_privacy.commit_batch import CommitBatch

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


@pytest.fixture
def flushed():
    calls: list[list] = []
    return calls, CommitBatch(lambda items: calls.append(list(items)))


def rolled_back(func) -> None:
    try:
        with transaction.atomic():
            func()
            raise Rollback
    except Rollback:
        pass


def test_items_of_one_transaction_are_handed_over_once_after_its_commit_in_order(flushed):
    calls, batch = flushed
    with transaction.atomic():
        for item in (3, 1, 2):
            batch.add(item)
        assert calls == []  # nothing before the commit
    assert calls == [[3, 1, 2]]


def test_outside_a_transaction_an_item_is_handed_over_at_once(flushed):
    calls, batch = flushed
    batch.add(7)
    batch.add(8)
    assert calls == [[7], [8]]


def test_a_rolled_back_transaction_hands_over_nothing_and_the_next_one_starts_afresh(flushed):
    calls, batch = flushed
    rolled_back(lambda: [batch.add(n) for n in (1, 2)])
    assert calls == []
    with transaction.atomic():
        batch.add(3)
    assert calls == [[3]]


def test_a_rolled_back_savepoint_drops_only_its_own_items(flushed):
    calls, batch = flushed
    with transaction.atomic():
        batch.add("before")
        rolled_back(lambda: batch.add("inside"))
        with transaction.atomic():
            batch.add("kept savepoint")
        batch.add("after")
    assert calls == [["before", "kept savepoint", "after"]]


def test_items_after_a_rolled_back_first_savepoint_are_still_handed_over(flushed):
    calls, batch = flushed
    with transaction.atomic():
        rolled_back(lambda: [batch.add(n) for n in ("first", "second")])
        batch.add("third")
        rolled_back(lambda: batch.add("fourth"))
    assert calls == [["third"]]


def test_two_transactions_are_two_hand_overs(flushed):
    calls, batch = flushed
    for items in (["a", "b"], ["c"]):
        with transaction.atomic():
            for item in items:
                batch.add(item)
    assert calls == [["a", "b"], ["c"]]


# SQLite's IMMEDIATE transactions (issue 19: no "database is locked" under make run) admit one
# writer at a time, so two transactions cannot be open together there.
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="two open write transactions at once need PostgreSQL")
def test_threads_collect_their_own_transactions(flushed):
    calls, batch = flushed
    barrier = threading.Barrier(2, timeout=30)  # a lost thread fails the test, never hangs it

    def work(name):
        from django.db import connection

        try:
            with transaction.atomic():
                batch.add(f"{name}1")
                barrier.wait()
                batch.add(f"{name}2")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in "xy"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(calls) == [["x1", "x2"], ["y1", "y2"]]
