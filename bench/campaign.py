"""Policy-change campaign at scale (issue 10): publish a major policy version to N users on
PostgreSQL + Redis with 2 real `celery worker` processes (prefork, concurrency 1 each) sending through anymail's
Postmark backend to a local server speaking Postmark's documented API (fakes/postmark.py:
validation, per-recipient message ids, batches of 500 with stored templates), pointed at by
ANYMAIL_POSTMARK_API_URL.

figure   = seconds from `policy_version_publish` until every recipient's email is marked sent
           (fan-out, bulk-queued Delivery + outbox rows, claim, render once per language, one
           Postmark batch call per 500 recipients, per-recipient status write);
baseline = seconds to bulk-insert the same number of Delivery rows with one `bulk_create`
           in this process, in the same run;
target   = figure <= 10x baseline. Also reported: time to fully queued (every recipient has a
           Delivery and an outbox row), emails per second, each worker's peak resident memory
           (VmHWM, parent + pool child) and its resident memory at a quarter and at the end of
           the sends (flat = no growth with recipients).

Sizes: "tiny" = 1,000 users, "full" = 100,000 (`USERS=1000000 make bench ONLY=campaign` sets
another full size; bench users beyond the size asked for, left by a larger run, are made
inactive). Every active user in the database is a recipient, so the counts include users other
benchmarks left behind (reported). The
campaign runs once per size (100,000 emails take minutes); the bulk insert is the median of 3.
"""

import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench import harness
from fakes.postmark import FakePostmark

SIZES = {"tiny": 1_000, "full": int(os.environ.get("USERS", "100000"))}
TARGET_RATIO = 10.0
MIN_RATE = 2_000  # emails per second
PREFIX = "bench-camp-"
WORKERS = 2


def _users(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    model = get_user_model()
    unusable = make_password(None)
    have = model.objects.filter(username__startswith=PREFIX).count()
    model.objects.bulk_create([
        model(username=f"{PREFIX}{i:06d}", email=f"{PREFIX}{i:06d}@example.jp",
              language="en" if i % 2 else "ja", password=unusable) for i in range(have, n)
    ], batch_size=5000)
    # Only the first n bench users receive the campaign (after a run at a larger size). The
    # names have six digits, so they sort by number up to the millionth.
    bench = model.objects.filter(username__startswith=PREFIX)
    if n < 1_000_000:
        bench.filter(username__gte=f"{PREFIX}{n:06d}", is_active=True).update(is_active=False)
        bench.filter(username__lt=f"{PREFIX}{n:06d}", is_active=False).update(is_active=True)
    else:
        bench.filter(is_active=False).update(is_active=True)


def _cleanup() -> None:
    """Remove bench campaigns with their rows. Campaign events are append-only evidence: the
    benchmark's own are erased through the one erasure path; the other rows with SQL."""
    from django.db import connection

    from ccucaas_privacy.evidence import evidence_erase
    from consent_app.models import PolicyVersion
    from notifications_app.models import Campaign, CampaignEvent

    ids = list(Campaign.objects.filter(title_en__startswith="bench ").values_list("pk", flat=True)
               ) + list(Campaign.objects.filter(policy_version__version__startswith="b-")
                        .values_list("pk", flat=True))
    evidence_erase(CampaignEvent.objects.filter(campaign_id__in=ids),
                   reason="benchmark clean-up of its own campaigns")
    with connection.cursor() as cur:
        for pk in ids:
            cur.execute("DELETE FROM notifications_app_campaignalert WHERE campaign_id = %s", [pk])
            cur.execute("DELETE FROM notifications_app_delivery WHERE campaign_id = %s", [pk])
            cur.execute("DELETE FROM notifications_app_outboundemail WHERE cause = %s",
                        [f"campaign:{pk}"])
            cur.execute("DELETE FROM notifications_app_campaign WHERE id = %s", [pk])
    PolicyVersion.objects.filter(version__startswith="b-").delete()


def _vacuum() -> None:
    """Vacuum what the clean-up deleted, so autovacuum of the benchmark's own dead rows does not
    run during the measured campaign, and give back the space of a larger earlier run (FULL:
    after a million-user run the emptied tables' bloated indexes slowed a 100,000 run from
    8.98x to 9.99x). PostgreSQL only; outside a transaction."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for table in ("notifications_app_delivery", "notifications_app_outboundemail"):
            cur.execute(f"VACUUM FULL ANALYZE {table}")


def _bulk_insert_once() -> float:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from notifications_app.models import Campaign, CampaignKind, Delivery

    campaign = Campaign.objects.create(kind=CampaignKind.MARKETING, title_en="bench baseline")
    pks = list(get_user_model().objects.filter(is_active=True).values_list("pk", flat=True))
    rows = [Delivery(campaign=campaign, user_id=pk) for pk in pks]
    start = time.perf_counter()
    with transaction.atomic():
        Delivery.objects.bulk_create(rows)
    elapsed = time.perf_counter() - start
    _cleanup()
    return elapsed


def _start_worker(index: int, log_path: Path, esp_url: str) -> subprocess.Popen:
    from fakes.postmark import TOKEN

    env = {**os.environ, "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
           "ANYMAIL_POSTMARK_API_URL": esp_url, "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
           "CELERY_DB_REUSE_MAX": os.environ.get("CELERY_DB_REUSE_MAX", "1000"),
           "DJANGO_SETTINGS_MODULE": "ccucaas_privacy.settings", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ccucaas_privacy", "worker", "--pool", "prefork",
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--hostname", f"bench-campaign-{index}-{os.getpid()}@%h"],
        cwd=harness.ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)


def _campaign_once(workers: list[subprocess.Popen], timeout: float) -> dict:
    from django.contrib.auth import get_user_model

    from ccucaas_privacy import clock
    from consent_app.services import policy_version_publish
    from notifications_app.models import Campaign, OutboundEmail, Status

    total = get_user_model().objects.filter(is_active=True).count()
    label = f"b-{int(time.time())}"
    start = time.perf_counter()
    version = policy_version_publish(
        version=label, importance="major", effective_at=clock.now() + timedelta(days=400),
        summary_ja="ベンチマーク", summary_en="Benchmark", full_text_ja="全文")
    campaign = Campaign.objects.get(policy_version=version)
    rows = OutboundEmail.objects.filter(cause=campaign.cause)
    # Polled 4 times a second, so the poll must not compete with the campaign: the unsent rows
    # come from the partial index of pending rows (a few batches' worth at any time); the full
    # counts run once a second.
    unsent = rows.filter(status__in=[Status.QUEUED, Status.SENDING])
    queued_s = sent_s = None
    rss_quarter = None
    deadline = time.monotonic() + timeout
    polls = 0
    while sent_s is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{rows.filter(status=Status.SENT).count()} of {total} sent "
                               f"after {timeout:.0f} s")
        time.sleep(0.25)
        polls += 1
        pending = unsent.exists()
        if pending and polls % 4:
            continue
        if queued_s is None and rows.count() >= total:
            queued_s = time.perf_counter() - start
        sent = rows.filter(status=Status.SENT).count()
        if rss_quarter is None and sent >= total // 4:
            rss_quarter = [round(harness.worker_memory_mb(w.pid), 1) for w in workers]
        if sent >= total:
            sent_s = time.perf_counter() - start
            queued_s = queued_s or sent_s
    return {"recipients": total, "queued_seconds": queued_s, "sent_seconds": sent_s,
            "rss_mb_at_quarter": rss_quarter,
            "rss_mb_at_end": [round(harness.worker_memory_mb(w.pid), 1) for w in workers]}


def run(size: str) -> dict:
    from ccucaas_privacy.celery import app as celery_app
    from notifications_app.services.dispatch import broker_purge

    n = SIZES[size]
    _users(n)
    _cleanup()
    baseline_runs = [_bulk_insert_once() for _ in range(harness.REPEATS)]
    _vacuum()
    celery_app.conf.task_always_eager = False
    broker_purge()
    harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    esp = FakePostmark(keep_messages=False).start()
    workers = [_start_worker(i, harness.RESULTS_DIR / f"campaign-worker-{i}.log", esp.url)
               for i in range(WORKERS)]
    try:
        deadline = time.monotonic() + 60
        while len(celery_app.control.ping(timeout=0.5) or []) < WORKERS:
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark's Celery workers did not start")
        measured = _campaign_once(workers, timeout=max(300.0, n / 20))
        peaks = [round(harness.worker_memory_mb(w.pid, field="VmHWM"), 1) for w in workers]
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        esp.stop()
        _cleanup()
    if esp.accepted() < measured["recipients"] or max(esp.per_recipient.values()) > 1:
        raise RuntimeError(f"the ESP accepted {esp.accepted()} messages for "
                           f"{measured['recipients']} recipients")
    baseline = statistics.median(baseline_runs)
    figure = measured["sent_seconds"]
    total_rate = measured["recipients"] / figure
    return harness.result(
        name="campaign", figure=figure, baseline=baseline, unit="s",
        target=f"all sent <= {TARGET_RATIO:g}x bulk insert, >= {MIN_RATE} emails/s",
        passed=figure <= TARGET_RATIO * baseline and (size == "tiny" or total_rate >= MIN_RATE),
        emails=measured["recipients"], bench_users=n,
        queued_seconds=round(measured["queued_seconds"], 3),
        sent_seconds=round(figure, 3),
        emails_per_second=round(measured["recipients"] / figure, 1),
        bulk_insert_seconds=[round(s, 4) for s in baseline_runs],
        peak_worker_rss_mb=peaks, rss_mb_at_quarter=measured["rss_mb_at_quarter"],
        rss_mb_at_end=measured["rss_mb_at_end"],
        esp_calls=dict(esp.calls),
        worker=f"{WORKERS} Celery workers, prefork, concurrency 1; anymail Postmark backend "
               "to the fake Postmark server (fakes/postmark.py)",
    )
