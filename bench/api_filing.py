"""Benchmark: filing data-subject requests through the API under 16 concurrent clients.

gunicorn serves the project (PostgreSQL, Redis broker) on 127.0.0.1; a separate load-generator
process runs 16 concurrent clients. In the same run it measures a trivial authenticated DRF
endpoint (`GET /api/bench/ping/`: token auth, IsAuthenticated, the same middleware as every
/api/ URL, including the visitor log). Both endpoints are warmed first: a gunicorn worker's
first filing imports the broker client and loads the email templates, one-time costs that
would otherwise fall on the first measured phase. Then phases alternate (ping, file, ping,
file, ...), 5 rounds, medians reported: the machine's speed drifts by ±10% over a minute, so
each filing phase is measured next to a ping phase, and the per-round ratios are reported
too.

Figure: filings per second (`POST /api/v1/requests/`, 201 expected; a quarter each of
disclosure, correction, deletion and inquiry, with Japanese and emoji text); baseline: pings per
second. Target (issue 6): figure >= 0.5 x baseline with zero errors. p50/p99 latencies of both
are reported.

Each filing queues its receipt email for real (a row in the outbox, committed with the
request) and dispatches it: with the coalesced dispatch of notifications_app/dispatch.py that is
a Redis `SET NX` per filing plus one `drain_outbox` publish whenever no drain is pending. No
worker consumes during the run, so a drain stays pending (up to DRAIN_PENDING_SECONDS): the
best case for the web process. With a worker the pending window is the time a drain waits in
the queue, so under load a publish still serves many filings. To show what coalescing is
worth, the run also files through a second gunicorn with NOTIFICATIONS_COALESCE_DISPATCH=false
(one Celery publish per filing, the worst case) and reports it as `per_commit_publish_rps`;
`messages_per_filing` counts what each mode put on the broker.

The API tokens are issued by the token service, as POST /api/v1/auth/token/ issues them after
checking the password, so disclosure and deletion filings are within the password re-prompt
window (REQUESTS_API_REAUTH_SECONDS) without hashing a password per filing.
`run(size)` assumes Django is configured and the database migrated.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import harness

SIZES = {"tiny": 120, "full": 2000}  # requests per phase
ROUNDS = 5
CLIENTS = 16
WARM_FILINGS = 64
TYPES = ["disclosure", "correction", "deletion", "inquiry"]
DETAILS = {
    "disclosure": {"note": "保有個人データの開示をお願いします 🙏"},
    "correction": {"items": [{"field": "first_name", "requested_value": "花子", "reason": "改名"}]},
    "deletion": {"note": "退会に伴い削除してください"},
    "inquiry": {"subject": "利用目的", "message": "閲覧履歴の利用目的を教えてください。"},
}
PREFIX = "benchfile"
PING = "/api/bench/ping/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _users(n: int) -> list[str]:
    """Tokens of n bench users with no open requests (created through the account service)."""
    from accounts_app.services.accounts import auth_token_issue, user_create

    # Earlier runs' open requests would be duplicates and their evidence rows are append-only,
    # so every run uses a fresh batch of users instead of deleting anything (and deactivates
    # them afterwards: _retire_users).
    batch = f"{PREFIX}{time.time_ns() // 1000}x"
    tokens = []
    for i in range(n):
        user = user_create(username=f"{batch}{i}", email=f"{batch}{i}@bench.example",
                           password=None)
        tokens.append(auth_token_issue(user=user))
    return tokens


def _retire_users() -> None:
    """Leave nothing behind for the next benchmark (this run's users and any earlier run's).

    The users stay, as their requests and evidence rows do, but are deactivated: benchmarks
    that address every active user (bench/campaign.py) no longer count them. Their receipt
    emails, which no worker sent during the run, are suppressed: otherwise the next benchmark's
    worker (bench/outbox.py) would drain them first and be timed for it.
    """
    from accounts_app.models import User
    from notifications_app.models import OutboundEmail, Status

    User.objects.filter(username__startswith=PREFIX, is_active=True).update(is_active=False)
    OutboundEmail.objects.filter(user__username__startswith=PREFIX, status=Status.QUEUED).update(
        status=Status.SUPPRESSED, next_attempt_at=None,
        suppressed_reason="api_filing benchmark user: nobody reads this mailbox")


GUNICORN_LOG = harness.RESULTS_DIR / "api_filing-gunicorn.log"


def _gunicorn(port: int, workers: int, **extra_env: str) -> subprocess.Popen:
    env = {**os.environ, "CONN_MAX_AGE": "60", "DEBUG": "false", "LOG_LEVEL": "WARNING",
           "PYTHONUNBUFFERED": "1", **extra_env}
    # A file, not a pipe nobody reads: a full pipe would block gunicorn's logging (and so the
    # server) on the first burst of warnings.
    GUNICORN_LOG.parent.mkdir(parents=True, exist_ok=True)
    with GUNICORN_LOG.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bench._api_filing_app:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
             "--log-level", "warning", "--timeout", "60"],
            cwd=harness.ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=log,
        )


def _wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {GUNICORN_LOG}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _phase(port: int, jobs: list[dict]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"host": "127.0.0.1", "port": port, "clients": CLIENTS, "jobs": jobs}, f)
    try:
        out = subprocess.run([sys.executable, "-m", "bench._api_filing_load", f.name],
                             cwd=harness.ROOT, capture_output=True, text=True, check=True,
                             timeout=900)
    finally:
        Path(f.name).unlink()
    data = json.loads(out.stdout)
    data["rps"] = len(jobs) / data["wall"]
    return data


def _warm(port: int, tokens: list[str]) -> None:
    """Pings, then filings by users of their own (so the measured users have no open
    requests): each worker has answered both before anything is measured."""
    _phase(port, [{"method": "GET", "path": PING, "token": t, "expect": 200}
                  for t in tokens[:64]])
    _phase(port, _filings(_users(WARM_FILINGS // len(TYPES)), WARM_FILINGS))


def _filings(tokens: list[str], count: int) -> list[dict]:
    return [{"method": "POST", "path": "/api/v1/requests/", "token": tokens[i // len(TYPES)],
             "body": {"type": TYPES[i % len(TYPES)], "details": DETAILS[TYPES[i % len(TYPES)]]},
             "expect": 201} for i in range(count)]


def _broker_messages() -> int:
    from notifications_app.services import dispatch

    return int(dispatch._redis().llen("celery"))


def _serve(workers: int, **extra_env: str):
    port = _free_port()
    proc = _gunicorn(port, workers, **extra_env)
    try:
        _wait_ready(port, proc)
    except BaseException:
        _stop(proc)
        raise
    return port, proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def run(size: str) -> dict:
    n = SIZES[size]
    try:
        return _run(n)
    finally:
        _retire_users()


def _run(n: int) -> dict:
    from notifications_app.services.dispatch import broker_purge

    per_user = len(TYPES)
    tokens = _users((n * ROUNDS) // per_user + 1)
    per_commit_tokens = _users((n * ROUNDS) // per_user + 1)
    workers = int(os.environ.get("BENCH_API_WORKERS") or min(2 * (os.cpu_count() or 1) + 1, CLIENTS))
    pings, files, per_commit = [], [], []
    messages = {"coalesced": 0, "per_commit": 0}
    broker_purge()
    port, proc = _serve(workers)
    try:
        _warm(port, tokens)
        filings = _filings(tokens, n * ROUNDS)
        for r in range(ROUNDS):
            pings.append(_phase(port, [{"method": "GET", "path": PING,
                                        "token": tokens[i % len(tokens)], "expect": 200}
                                       for i in range(n)]))
            before = _broker_messages()
            files.append(_phase(port, filings[r * n:(r + 1) * n]))
            messages["coalesced"] += _broker_messages() - before
    finally:
        _stop(proc)
        broker_purge()  # nobody consumes the bench's receipt emails
    port, proc = _serve(workers, NOTIFICATIONS_COALESCE_DISPATCH="false")
    try:
        _warm(port, per_commit_tokens)
        filings = _filings(per_commit_tokens, n * ROUNDS)
        for r in range(ROUNDS):
            before = _broker_messages()
            per_commit.append(_phase(port, filings[r * n:(r + 1) * n]))
            messages["per_commit"] += _broker_messages() - before
    finally:
        _stop(proc)
        broker_purge()

    def med(runs, key):
        return statistics.median(run[key] for run in runs)

    def pct(runs, q):
        return round(1000 * statistics.median(harness.percentile(r["latencies"], q) for r in runs), 2)

    everything = pings + files + per_commit
    errors = sum(r["error_count"] for r in everything)
    figure, baseline = med(files, "rps"), med(pings, "rps")
    filed = n * ROUNDS
    return harness.result(
        name="api_filing", figure=round(figure, 1), baseline=round(baseline, 1), unit="req/s",
        target=">= 0.5x trivial DRF endpoint, 0 errors",
        passed=figure >= 0.5 * baseline and errors == 0,
        clients=CLIENTS, gunicorn_workers=workers, requests_per_phase=n,
        filing_p50_ms=pct(files, 50), filing_p99_ms=pct(files, 99),
        ping_p50_ms=pct(pings, 50), ping_p99_ms=pct(pings, 99),
        round_ratios=[round(f["rps"] / p["rps"], 3) for p, f in zip(pings, files, strict=True)],
        per_commit_publish_rps=round(med(per_commit, "rps"), 1),
        per_commit_publish_ratio=round(med(per_commit, "rps") / baseline, 3),
        messages_per_filing={mode: round(count / filed, 4) for mode, count in messages.items()},
        errors=errors, error_samples=[e for r in everything for e in r["errors"]][:5],
    )
