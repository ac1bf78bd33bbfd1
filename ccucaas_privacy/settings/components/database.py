"""Database: SQLite under var/ by default, PostgreSQL when DATABASE_URL is set."""

import os
from pathlib import Path

from .environment import VAR_DIR, env

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process sees what the tests wrote.
    # One file per test process, so parallel test runs never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    # The embedded default runs three processes on one file (web, worker, beat; issue 19 item
    # 3): WAL lets readers go on while one writes; IMMEDIATE takes the write lock when a
    # transaction begins, so a transaction never has to upgrade a read lock (the case where
    # SQLite answers "database is locked" at once, whatever the timeout); busy_timeout and
    # `timeout` make a writer wait for the lock instead of failing.
    _busy_ms = env.int("SQLITE_BUSY_TIMEOUT_MS", default=20000)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": _busy_ms / 1000,
        "transaction_mode": "IMMEDIATE",
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                         f"PRAGMA busy_timeout={_busy_ms}"),
    }
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
