"""`make run` as a newcomer gets it: SQLite + filesystem broker, web + worker + beat via honcho."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(var_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
           and not k.startswith("PYTEST_")}
    env.update(VAR_DIR=str(var_dir), WEB_PORT=str(port), DJANGO_ENV="development",
               DJANGO_SETTINGS_MODULE="ccucaas_privacy.settings",
               PYTHONUNBUFFERED="1")
    return env


def healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def stack_start(tmp_path: Path, *, seed: bool = False, env_extra: dict[str, str] | None = None):
    """What `make run` does, on a temporary var/: migrate (and `seed_demo`), then honcho with
    Procfile.dev (web, worker, beat). Returns (honcho, port, env, var_dir, log path)."""
    var_dir, port = tmp_path / "var", free_port()
    env = {**embedded_env(var_dir, port), **(env_extra or {})}
    python = str(ROOT / ".venv" / "bin" / "python")
    commands = [["migrate", "--noinput"], *([["seed_demo"]] if seed else [])]
    for command in commands:
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=180)
    log = (tmp_path / "honcho.log").open("wb")
    honcho = subprocess.Popen([str(Path(sys.executable).parent / "honcho"), "-f", "Procfile.dev",
                               "start"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    return honcho, port, env, var_dir, tmp_path / "honcho.log"


def stack_kill(honcho: subprocess.Popen) -> None:
    if honcho.poll() is None:
        os.killpg(honcho.pid, signal.SIGKILL)


@pytest.fixture
def embedded_stack(tmp_path: Path):
    stack = stack_start(tmp_path)
    yield stack
    stack_kill(stack[0])


def test_make_run_processes_serve_healthz_run_tasks_and_stop_on_ctrl_c(embedded_stack):
    honcho, port, env, var_dir, log_path = embedded_stack
    body = wait_for(lambda: healthz(port), timeout=90, what="healthz of the embedded stack")
    assert body == {"database": "ok", "broker": "ok"}

    # The worker consumes from the filesystem broker and writes to SQLite.
    token = uuid.uuid4().hex
    subprocess.run([sys.executable, "-c", "import django; django.setup();"
                    "from ccucaas_privacy.tasks import worker_heartbeat;"
                    f"worker_heartbeat.delay(token='{token}')"],
                   cwd=ROOT, env=env, check=True, timeout=60)

    def heartbeat_written() -> bool:
        with sqlite3.connect(var_dir / "db.sqlite3") as db:
            return bool(db.execute("SELECT 1 FROM ccucaas_privacy_workerheartbeat WHERE token = ?",
                                   (token,)).fetchone())

    wait_for(heartbeat_written, timeout=60, what="the embedded worker to run a task")
    log = log_path.read_text(errors="replace")
    assert "beat: Starting..." in log, log

    os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    honcho.wait(timeout=30)
    children = subprocess.run(["pgrep", "-s", str(honcho.pid)], capture_output=True, text=True,
                              check=False)
    assert children.stdout.strip() == "", f"processes left running: {children.stdout}"
    assert healthz(port) is None
