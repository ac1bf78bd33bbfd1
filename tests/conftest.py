"""Shared fixtures, and the rule for tests that need real services.

`services` tests need a Redis broker (CELERY_BROKER_URL=redis://...) and start a real Celery
worker; `browser` tests need /usr/bin/chromium and Playwright. Without them the tests skip with
the reason, unless REQUIRE_SERVICES=1 (CI), where a missing service fails the test instead.
"""

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from ccucaas_privacy.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def _require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


@functools.cache
def _services_missing() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        return "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/1"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer ({exc})"
    if _require_services() and "postgresql" not in django_settings.DATABASES["default"]["ENGINE"]:
        return "REQUIRE_SERVICES=1 needs DATABASE_URL pointing at PostgreSQL"
    return None


@functools.cache
def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"needs Debian chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test restores the database as migrations left it.

    A transactional test flushes every table at teardown; the rows data migrations wrote
    (purposes, policy version 1, staff groups) must come back for the tests after it, and
    mixing serialized and plain flushes breaks content types, so all of them serialize.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction"))
        fixtures = getattr(item, "fixturenames", [])
        needs_restore = transactional or {"transactional_db", "live_server", "live_worker"} & set(fixtures)
        if needs_restore and "django_db_serialized_rollback" not in fixtures:
            fixtures.append("django_db_serialized_rollback")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, missing in (("services", _services_missing), ("browser", _browser_missing)):
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason and _require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        if reason:
            pytest.skip(reason)


def database_url_for_subprocess() -> str:
    """The URL of the database this test run uses (the test database, not the dev one)."""
    from django.db import connection

    cfg = connection.settings_dict
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{cfg['NAME']}"
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
    return f"postgres://{auth}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="ccucaas_privacy.settings",
        DJANGO_ENV="development",
        DATABASE_URL=database_url_for_subprocess(),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class LiveWorker:
    """A real `celery worker` process consuming from the real broker."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.log_path = tmp_path / "worker.log"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "LiveWorker":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ccucaas_privacy", "worker",
             "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.2,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def run_at_once(target: Callable[[], Any], *, threads: int,
                timeout: float = 60.0) -> list[BaseException]:
    """Run `target` in `threads` threads released together by one barrier; each thread closes its
    database connections. Returns what the threads raised, for the caller to assert empty."""
    import threading

    from django.db import connections

    barrier, errors = threading.Barrier(threads), []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            target()
        except BaseException as exc:  # surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connections.close_all()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=timeout)
    return errors


def storage_shared_with_worker(*, settings, monkeypatch, tmp_path: Path,
                               private_endpoints: bool = False) -> None:
    """This process and a worker started afterwards with this environment read and write the
    same private storage and account content folders (under `tmp_path`); with
    `private_endpoints`, both may reach a fake provider on 127.0.0.1 (issue 17)."""
    monkeypatch.setenv("PRIVATE_STORAGE_DIR", str(tmp_path / "private"))
    monkeypatch.setenv("ACCOUNT_CONTENT_DIR", str(tmp_path / "content"))
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    if private_endpoints:
        monkeypatch.setenv("FULFILMENT_ALLOW_PRIVATE_ENDPOINTS", "1")
        settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True


def row_snapshot(row: Any) -> dict[str, Any]:
    """Every column of `row` as the database holds it now (to compare before and after)."""
    return type(row).objects.filter(pk=row.pk).values().get()


def assert_append_only(row: Any, *, update: tuple[Any, dict[str, Any]], delete: Any = None) -> None:
    """The append-only guard (ccucaas_privacy.evidence) refuses `row.save()`, `row.delete()`, the
    queryset update `update` = (queryset, changes) and, when given, the queryset delete `delete`."""
    from ccucaas_privacy.evidence import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    queryset, changes = update
    with pytest.raises(AppendOnlyError):
        queryset.update(**changes)
    if delete is not None:
        with pytest.raises(AppendOnlyError):
            delete.delete()


@pytest.fixture
def live_worker(transactional_db, django_db_serialized_rollback,
                tmp_path: Path) -> Iterator[LiveWorker]:
    """Publish for real (no eager mode) to Redis and run a real worker against the test DB.

    Serialized rollback: rows written by data migrations (purposes, policy version 1, staff
    groups) are restored after the flush of an earlier transactional test.
    """
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    from notifications_app.services.dispatch import broker_purge

    broker_purge()  # stale messages (and a drain flag) from an earlier run must not leak in
    worker = LiveWorker(tmp_path, subprocess_env()).start()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def make_user(db) -> Callable[..., Any]:
    """Create a real account through the service: make_user("carol", language="en")."""
    from accounts_app.services.accounts import user_create

    def _make(username: str, **fields: Any):
        fields.setdefault("email", f"{username}@example.jp")
        fields.setdefault("password", "correct-horse-battery-42")
        return user_create(username=username, **fields)

    return _make


@pytest.fixture
def file_dirs(settings, tmp_path) -> Path:
    """The account content folder and the private storage of a test, under its tmp_path."""
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return tmp_path


@pytest.fixture
def run(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """Run a block and every task it enqueues on commit (Celery is eager in tests)."""
    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return _run


@pytest.fixture
def alice(make_user):
    return make_user("alice", language="ja")


@pytest.fixture
def bob(make_user):
    return make_user("bob", email="bob@example.com", language="en")


@pytest.fixture
def officer(make_user):
    return make_user("officer", email="officer@ccucaas.example", is_superuser=True)


@pytest.fixture
def staff_sign_in(db) -> Callable[..., Any]:
    """Sign a staff user in to the admin with password and a real TOTP code:
    `staff_sign_in(client, user)` (see tests/accounts_app/staff.py)."""
    from tests.accounts_app.staff import staff_sign_in as sign_in

    return sign_in


@pytest.fixture
def chromium_browser(transactional_db, django_db_serialized_rollback, monkeypatch):
    """A headless Debian chromium (Playwright) for one test: the one mechanism of every browser
    test (`browser_page` here, `portal` in tests/ccucaas_privacy/browser).

    Per test, not per session: while Playwright's sync API runs its event loop on this thread,
    a second sync_playwright() refuses to start, and the ORM hands out another connection object,
    one without the serialized contents of the test database (the next transactional test would
    find the rows of the data migrations gone). So it starts after the database fixtures and
    stops before their teardown flushes.
    """
    if _browser_missing():
        pytest.skip(_browser_missing())
    # The ORM calls a test makes between page actions are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(live_server, transactional_db, django_db_serialized_rollback, chromium_browser):
    """A real headless Debian chromium page in a fresh context against the live server.

    Mark the test `@pytest.mark.browser`. `page.base_url` is the live server's URL.
    """
    context = chromium_browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    try:
        yield page
    finally:
        # ORM calls made while Playwright's loop runs use their own connection: close it
        # here, or PostgreSQL refuses to drop the test database at the end of the run.
        from django.db import connections

        connections.close_all()
        context.close()
