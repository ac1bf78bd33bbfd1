"""Automation (issue 25): median time from filing a portal disclosure to the first reply with a
ready package, through a real Celery worker on Redis and PostgreSQL, against the package build
alone measured in the same run.

Setup: one user with 1,000 contacts (tiny: 100), filed for through `request_file` exactly as the
portal does; the default rule answers it automatically. One `celery worker` (prefork,
concurrency 1) takes the automation task, replies through `request_reply`, then builds the
package (the same task any reply enqueues). Timed per filing, from the call to `request_file` to
(a) `replied_at` set and (b) the package row existing (the "reply with a ready package"). The
frequency condition is switched off for the benchmark's rule (it would send the 4th request of
the same user to a person) and restored afterwards.

Baseline: `package_write` for the same user into a temporary file in this process: the build
work alone, with no queue, no reply, no storage. Target: median (b) under 60 s on this machine.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import harness

SIZES = {"tiny": (100, 3), "full": (1000, 7)}  # (contacts, filings)
USERNAME = "bench-automation"


def _user(contacts: int):
    from accounts_app.models import Contact, User
    from accounts_app.services.accounts import user_create

    user = User.objects.filter(username=USERNAME).first() or user_create(
        username=USERNAME, email="bench-automation@example.jp", password=None)
    Contact.objects.filter(user=user).delete()
    Contact.objects.bulk_create(
        Contact(user=user, name=f"連絡先 {i}", email=f"c{i}@example.org",
                postal_address=f"東京都千代田区{i}", phone=f"03-0000-{i % 10000:04d}")
        for i in range(contacts))
    return user


def _rule_frequency(value):
    from automation_app.models import AutomationRule
    from automation_app.services.staff import automation_rule_update

    rule = AutomationRule.objects.get(request_type="disclosure", channel="portal")
    before = rule.frequency_max_requests
    automation_rule_update(rule=rule, values={"frequency_max_requests": value}, actor=None,
                           note="bench/automation.py")
    return before


def _start_worker(log_path: Path, storage_dir: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ccucaas_privacy.settings",
           "AUTOMATION_ENABLED": "true", "PRIVATE_STORAGE_DIR": storage_dir,
           "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ccucaas_privacy", "worker", "--pool", "prefork",
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--hostname", f"bench-automation-{os.getpid()}@%h"],
        cwd=harness.ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)


def _file_and_wait(user, timeout: float) -> tuple[float, float]:
    from requests_app.models import DataSubjectRequest, DisclosurePackage
    from requests_app.services.filing import request_file

    start = time.perf_counter()
    request, _sent = request_file(type="disclosure", channel="portal", details={}, subject=user)
    replied = None
    deadline = start + timeout
    while time.perf_counter() < deadline:
        if replied is None and DataSubjectRequest.objects.filter(
                pk=request.pk, replied_at__isnull=False).exists():
            replied = time.perf_counter() - start
        if DisclosurePackage.objects.filter(request=request).exists():
            return (replied if replied is not None else time.perf_counter() - start,
                    time.perf_counter() - start)
        time.sleep(0.05)
    raise RuntimeError(f"{request.reference} was not answered within {timeout:.0f} s")


def _build_alone(user) -> float:
    from ccucaas_privacy import clock
    from requests_app.models import DataSubjectRequest
    from requests_app.services.packages import package_write

    request = DataSubjectRequest.objects.filter(subject=user, type="disclosure").first()
    with tempfile.TemporaryFile() as out:
        return harness.timed(lambda: package_write(request=request, user=user, out=out,
                                                   now=clock.now()))


def _stop(worker: subprocess.Popen) -> None:
    import signal

    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)


def run(size: str) -> dict:
    from ccucaas_privacy.celery import app as celery_app
    from notifications_app.services.dispatch import broker_purge

    contacts, filings = SIZES[size]
    user = _user(contacts)
    celery_app.conf.task_always_eager = False
    broker_purge()
    harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    previous = _rule_frequency(None)
    storage = tempfile.mkdtemp(prefix="bench-automation-")
    worker = _start_worker(harness.RESULTS_DIR / "automation-worker.log", storage)
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=0.5):
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark's Celery worker did not start")
        samples = [_file_and_wait(user, timeout=120) for _ in range(filings)]
    finally:
        _stop(worker)
        _rule_frequency(previous)
    builds = [_build_alone(user) for _ in range(harness.REPEATS)]
    to_reply = statistics.median(s[0] for s in samples)
    to_package = statistics.median(s[1] for s in samples)
    build = statistics.median(builds)
    return harness.result(
        name="automation", figure=to_package, baseline=build, unit="s",
        target="median filing -> reply with ready package < 60 s", passed=to_package < 60,
        contacts=contacts, filings=filings, median_to_replied_s=round(to_reply, 3),
        p95_to_package_s=round(harness.percentile([s[1] for s in samples], 95), 3),
        package_build_alone_s=round(build, 3),
        worker="1 Celery worker, prefork, concurrency 1, Redis broker")
