"""The embedded default under its own three processes (issue 19 item 3): `make run`'s web,
worker and beat on one SQLite file (WAL, busy timeout, IMMEDIATE transactions) with the
filesystem broker and the file email backend.

The demo data is seeded as `make run` does, then many help-desk requests are filed over HTTP
from several threads at once while the worker sends their verification emails and beat runs
its sweeps. Every email must be sent exactly once (each outbox row's Message-ID appears once in
the mail folder), every outbox row must be sent on its first attempt, and no process may log
"database is locked".
"""

import http.cookiejar
import json
import os
import re
import sqlite3
import subprocess
import threading
import urllib.parse
import urllib.request
from email import message_from_string
from pathlib import Path

from tests.ccucaas_privacy.test_make_run import healthz, stack_kill, stack_start
from tests.conftest import ROOT, wait_for

FILINGS = 40
THREADS = 8
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_sqlite_settings_are_wal_immediate_with_a_busy_timeout():
    """Read in a fresh process without DATABASE_URL (the suite may run on PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c",
         "import json; from ccucaas_privacy.settings.components.database import DATABASES;"
         "print(json.dumps(DATABASES['default']))"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60)
    default = json.loads(out.stdout)
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    options = default["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert re.search(r"busy_timeout=\d{4,}", options["init_command"])
    assert options["timeout"] >= 5


def _file_one(port: int, n: int) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://127.0.0.1:{port}/help-desk/"
    with opener.open(url, timeout=60) as response:
        token = CSRF.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "name": f"申請者{n}", "email": f"three-proc-{n}@example.org",
        "type": "disclosure", "message": f"三プロセス試験 {n}"}).encode()
    with opener.open(urllib.request.Request(url, data=body), timeout=60) as response:
        return response.status


def _file_concurrently(port: int) -> list:
    statuses, errors = [], []
    numbers = iter(range(FILINGS))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            try:
                statuses.append(_file_one(port, n))
            except Exception as exc:  # collected and asserted below
                errors.append(f"{n}: {exc!r}")

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return statuses


def _outbox(db: Path) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT public_id, status, attempts, kind, last_error "
                            "FROM notifications_app_outboundemail").fetchall()


def _message_ids(mail_dir: Path) -> list[str]:
    """Every Message-ID in the mail folder: the file backend writes one file per connection,
    messages separated by a line of 79 dashes."""
    ids = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if chunk.strip():
                ids.append(message_from_string(chunk.strip())["Message-ID"])
    return ids


def test_web_worker_and_beat_on_sqlite_send_each_email_once_and_never_lock(tmp_path: Path):
    honcho, port, _env, var_dir, log_path = stack_start(tmp_path, seed=True, env_extra={
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "var" / "mail"),
        "HELPDESK_RATE_LIMIT": "100000",
        "DEADLINE_SWEEP_INTERVAL_SECONDS": "2",
    })
    try:
        wait_for(lambda: healthz(port), timeout=90, what="healthz of the embedded stack")
        statuses = _file_concurrently(port)
        assert statuses == [200] * FILINGS

        db = var_dir / "db.sqlite3"
        with sqlite3.connect(db) as conn:
            filed = conn.execute("SELECT COUNT(*) FROM requests_app_datasubjectrequest "
                                 "WHERE channel = 'web_form' AND subject_email LIKE "
                                 "'three-proc-%@example.org'").fetchone()[0]
        assert filed == FILINGS

        def settled():
            rows = _outbox(db)
            busy = [r for r in rows if r[1] in ("queued", "sending")]
            return rows if rows and not busy else None

        rows = wait_for(settled, timeout=240, interval=1, what="the worker to send every email")
        log = log_path.read_text(errors="replace")
    finally:
        stack_kill(honcho)

    sent = [r for r in rows if r[1] == "sent"]
    assert [r for r in rows if r[1] not in ("sent", "suppressed")] == [], rows
    assert [r for r in sent if r[2] != 1] == [], "retried outbox rows"
    verifications = [r for r in sent if r[3] == "request_verification"]
    assert len(verifications) >= FILINGS

    def bare(value: str) -> str:  # SQLite stores UUIDs as 32 hex digits
        return value.strip("<>").split("@")[0].replace("-", "")

    message_ids = [bare(mid) for mid in _message_ids(var_dir / "mail")]
    assert len(set(message_ids)) == len(message_ids), "an email was sent twice"
    assert sorted(message_ids) == sorted(bare(r[0]) for r in sent)
    assert "database is locked" not in log, log[-5000:]
    assert "OperationalError" not in log, log[-5000:]
