"""Exactly once under concurrency (DESIGN section 5): two sweeps at the same time, and the real
beat + worker pipeline on Redis."""

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections

from ccucaas_privacy import clock
from ccucaas_privacy.celery import app as celery_app
from notifications_app.models import OutboundEmail
from requests_app.models import DeadlineAlert
from requests_app.services.filing import request_file
from requests_app.services.sweep import deadline_sweep
from tests.conftest import ROOT, LiveWorker, run_at_once, subprocess_env, wait_for


def file_requests_received_days_ago(users, days: int):
    requests = []
    for user in users:
        request, _ = request_file(type="disclosure", channel="portal", subject=user,
                                  details={"note": "開示してください"},
                                  now=clock.now() - timedelta(days=days))
        requests.append(request)
    return requests


@pytest.mark.services
def test_p21_two_concurrent_sweeps_send_one_alert_per_kind(transactional_db, make_user, officer):
    if connection.vendor != "postgresql":
        pytest.skip("row locking with skip_locked needs PostgreSQL (DATABASE_URL)")
    users = [make_user(f"user{n}") for n in range(12)]
    requests = file_requests_received_days_ago(users, 25)  # 7-day reminders are due
    reports = []

    with time_machine.travel(clock.now(), tick=True):
        errors = run_at_once(lambda: reports.append(deadline_sweep()), threads=2)
    assert errors == []
    assert sum(r.claimed for r in reports) == len(requests)
    for request in requests:
        assert list(DeadlineAlert.objects.filter(request=request).values_list("kind", flat=True)) == [
            "reply_reminder_7d"]
    assert OutboundEmail.objects.filter(kind="staff_deadline_reminder").count() == len(requests)


@pytest.mark.services
def test_real_beat_and_worker_fire_the_deadline_sweep(live_worker, tmp_path, make_user, officer):
    (request,) = file_requests_received_days_ago([make_user("carol")], 25)
    env = subprocess_env(DEADLINE_SWEEP_INTERVAL_SECONDS="1")
    log = (tmp_path / "beat.log").open("wb")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ccucaas_privacy", "beat", "--loglevel", "INFO",
         "--schedule", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        alert = wait_for(
            lambda: DeadlineAlert.objects.filter(request=request).first(), timeout=60,
            what="beat -> worker -> sweep_deadlines to record the reminder\n"
                 + (tmp_path / "beat.log").read_text() + live_worker.log(),
        )
        email = wait_for(
            lambda: OutboundEmail.objects.filter(kind="staff_deadline_reminder", status="sent").first(),
            timeout=60, what="the worker to send the reminder email\n" + live_worker.log(),
        )
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=20)
    assert alert.kind == "reply_reminder_7d"
    assert email.recipient_email == officer.email
    assert "sweep_deadlines" in (tmp_path / "beat.log").read_text()
    assert isinstance(live_worker, LiveWorker) and celery_app.conf.task_always_eager is False


@pytest.mark.services
def test_database_connection_killed_during_a_sweep_next_sweep_completes_once(
        transactional_db, make_user, officer):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL (DATABASE_URL)")
    users = [make_user(f"user{n}") for n in range(40)]
    requests = file_requests_received_days_ago(users, 25)
    backend = {}
    first = {}

    def sweep() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend["pid"] = cursor.fetchone()[0]
            first["report"] = deadline_sweep()
        finally:
            connections.close_all()

    thread = threading.Thread(target=sweep)
    thread.start()
    wait_for(lambda: DeadlineAlert.objects.exists(), timeout=30, interval=0.005,
             what="the first sweep to start sending")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
        assert cursor.fetchone()[0] is True
    thread.join(timeout=60)

    # The in-flight request failed with the connection and was rolled back; the sweep got a
    # new connection for the rest.
    assert any("OperationalError" in error for _, error in first["report"].failures)
    second = deadline_sweep()
    assert second.failures == []
    for request in requests:
        assert DeadlineAlert.objects.filter(request=request).count() == 1
    assert OutboundEmail.objects.filter(kind="staff_deadline_reminder").count() == len(requests)


@pytest.mark.services
def test_p21_two_sweepers_over_several_cycles_send_each_alert_once(transactional_db, make_user,
                                                                    officer):
    """Two beats running the sweep side by side, through four deadline instants."""
    if connection.vendor != "postgresql":
        pytest.skip("row locking with skip_locked needs PostgreSQL (DATABASE_URL)")
    requests = file_requests_received_days_ago([make_user(f"user{n}") for n in range(6)], 25)
    due = requests[0].reply_due_at
    assert all(r.reply_due_at == due for r in requests)
    second = timedelta(seconds=1)
    cycles = [(clock.now(), ["reply_reminder_7d"]),
              (due - timedelta(days=3) + second, ["reply_reminder_7d", "reply_reminder_3d"]),
              (due - timedelta(days=1) + second,
               ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d"]),
              (due + second, ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d",
                              "overdue"])]
    for instant, expected in cycles:
        errors = run_at_once(lambda at=instant: deadline_sweep(now=at), threads=2)
        assert errors == []
        for request in requests:
            kinds = list(DeadlineAlert.objects.filter(request=request)
                         .order_by("due_at").values_list("kind", flat=True))
            assert kinds == expected, instant
    assert OutboundEmail.objects.filter(kind="staff_deadline_reminder").count() == 3 * len(requests)
    assert OutboundEmail.objects.filter(kind="staff_overdue_escalation").count() == len(requests)
