"""Outbox throughput (issue 3): queue and send N marketing emails through one real Celery
worker and anymail's Postmark backend to the local fake Postmark server (fakes/postmark.py;
rows of one cause and language go in batch calls, rendered once), against a plain loop
rendering the same N messages one by one.

figure   = wall milliseconds per email, from the first `notification_queue` call until the
           worker has marked the last row sent (queueing in the caller's transactions, publish
           on commit, claim, consent check, render, anymail send, mark sent);
baseline = milliseconds per email to render the same messages (subject, text, HTML, headers)
           in a loop in this process;
target   = the outbox path stays within 3x of the baseline. Also reported: emails per second
           both ways and the worker's peak resident memory (parent + pool child, VmHWM).

Sizes: "tiny" = 200 emails, "full" = 10,000 (spread over 1,000 consenting users, so each user
gets one email per campaign and the idempotency keys are distinct).
"""

import os
import signal
import statistics
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

from anymail.backends.test import EmailBackend as AnymailTestBackend

from bench import harness

SIZES = {"tiny": 200, "full": 10_000}
USERS = {"tiny": 50, "full": 1_000}
TARGET_RATIO = 3.0
BATCH = 100  # emails queued per caller transaction
CAUSE = "bench-outbox"
REPEATS = 3


class CountingTestBackend(AnymailTestBackend):
    """anymail's test backend (same payload building and status parsing) without keeping every
    sent message in a list: at 10,000 messages that list, and its O(n) `outbox.index()` per
    message ID, would measure the test backend instead of the outbox."""

    _ids = count()

    def get_esp_message_id(self, message):
        return next(self._ids)

    def post_to_esp(self, payload, message):
        message.anymail_test_params = payload.get_params()
        return {"recipient_status": {
            email: self._status(message) for email in payload.recipient_emails}}

    def _status(self, message):
        from anymail.message import AnymailRecipientStatus

        return AnymailRecipientStatus(message_id=self.get_esp_message_id(message), status="sent")


def _users(n: int) -> list:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from consent_app.selectors import consent_is_granted
    from consent_app.services import consent_grant

    user_model = get_user_model()
    names = [f"bench-outbox-{i:05d}" for i in range(n)]
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    user_model.objects.bulk_create([
        user_model(username=name, email=f"{name}@example.jp",
                   language="en" if i % 2 else "ja", password=make_password(None))
        for i, name in enumerate(names) if name not in existing
    ])
    users = list(user_model.objects.filter(username__in=names).order_by("username"))
    for user in users:
        if not consent_is_granted(user=user, purpose="marketing_email"):
            consent_grant(user=user, purpose="marketing_email", channel="portal")
    return users


def _context(i: int, language: str) -> dict:
    if language == "ja":
        return {"headline": f"新機能のお知らせ #{i}", "summary": "録画の検索が速くなりました。",
                "event_date": "2026-12-10", "url": f"https://ccucaas.example/news/{i}"}
    return {"headline": f"New feature #{i}", "summary": "Recording search is faster.",
            "event_date": "2026-12-10", "url": f"https://ccucaas.example/news/{i}"}


def _plan(users: list, n: int) -> list[tuple]:
    """(user, cause, context) of N emails: campaign k goes to every user once."""
    return [(users[i % len(users)], f"{CAUSE}:{i // len(users)}",
             _context(i // len(users), users[i % len(users)].language)) for i in range(n)]


def _clear() -> None:
    from notifications_app.models import OutboundEmail

    OutboundEmail.objects.filter(cause__startswith=CAUSE).delete()


def _start_worker(log_path: Path, esp_url: str) -> subprocess.Popen:
    # The worker keeps its database connection across tasks (CELERY_DB_REUSE_MAX); without it
    # Celery's Django fixup closes it around every task: one new PostgreSQL connection per email.
    from fakes.postmark import TOKEN

    env = {**os.environ, "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
           "ANYMAIL_POSTMARK_API_URL": esp_url, "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
           "CELERY_DB_REUSE_MAX": os.environ.get("CELERY_DB_REUSE_MAX", "1000"),
           "DJANGO_SETTINGS_MODULE": "ccucaas_privacy.settings", "PYTHONUNBUFFERED": "1"}
    log = log_path.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ccucaas_privacy", "worker", "--pool", "prefork",
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--hostname", f"bench-outbox-{os.getpid()}@%h"],
        cwd=harness.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_ready(app, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("the benchmark's Celery worker did not start")


def _outbox_once(plan: list[tuple], timeout: float) -> float:
    from django.db import transaction

    from notifications_app.models import OutboundEmail, Status
    from notifications_app.services.outbox import notification_queue

    _clear()
    start = time.perf_counter()
    for offset in range(0, len(plan), BATCH):
        with transaction.atomic():
            for user, cause, context in plan[offset:offset + BATCH]:
                notification_queue(kind="marketing_announcement", cause=cause, context=context,
                                   user=user)
    pending = OutboundEmail.objects.filter(cause__startswith=CAUSE).exclude(status=Status.SENT)
    deadline = time.monotonic() + timeout
    while pending.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pending.count()} emails still unsent after {timeout:.0f} s")
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    sent = OutboundEmail.objects.filter(cause__startswith=CAUSE, status=Status.SENT).count()
    if sent != len(plan):
        raise RuntimeError(f"sent {sent} of {len(plan)}")
    return elapsed


def _baseline_once(plan: list[tuple]) -> float:
    """Render the same messages the worker renders, in a loop, without the outbox."""
    from notifications_app.kinds import Category
    from notifications_app.models import OutboundEmail
    from notifications_app.services import sending as services

    start = time.perf_counter()
    for user, cause, context in plan:
        row = OutboundEmail(user=user, recipient_email=user.email, kind="marketing_announcement",
                            category=Category.MARKETING, language=user.language, cause=cause,
                            context=context)
        services._message_for(row).message()  # the MIME message, as a backend would build
    return time.perf_counter() - start


def run(size: str) -> dict:
    from ccucaas_privacy.celery import app as celery_app
    from notifications_app.services.dispatch import broker_purge

    n = SIZES[size]
    users = _users(USERS[size])
    plan = _plan(users, n)
    celery_app.conf.task_always_eager = False
    broker_purge()
    log_path = harness.RESULTS_DIR / "outbox-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    from fakes.postmark import FakePostmark

    esp = FakePostmark(keep_messages=False).start()
    worker = _start_worker(log_path, esp.url)
    try:
        _wait_ready(celery_app)
        _baseline_once(plan[: min(n, 200)])  # warm template caches in this process
        outbox_runs = [_outbox_once(plan, timeout=max(120.0, n / 10)) for _ in range(REPEATS)]
        peak = harness.worker_memory_mb(worker.pid, field="VmHWM")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        esp.stop()
        _clear()
    baseline_runs = [_baseline_once(plan) for _ in range(REPEATS)]
    outbox_s, baseline_s = statistics.median(outbox_runs), statistics.median(baseline_runs)
    figure, baseline = outbox_s / n * 1000, baseline_s / n * 1000
    return harness.result(
        name="outbox", figure=figure, baseline=baseline, unit="ms/email",
        target=f"<= {TARGET_RATIO:g}x baseline", passed=figure <= TARGET_RATIO * baseline,
        emails=n, users=len(users), emails_per_second=round(n / outbox_s, 1),
        baseline_emails_per_second=round(n / baseline_s, 1), peak_rss_mb=round(peak, 1),
        outbox_seconds=[round(s, 3) for s in outbox_runs],
        baseline_seconds=[round(s, 3) for s in baseline_runs],
        esp_calls=dict(esp.calls), esp_accepted=esp.accepted(),
        worker="1 Celery worker, prefork pool, concurrency 1; anymail Postmark backend to the "
               "fake Postmark server",
    )
