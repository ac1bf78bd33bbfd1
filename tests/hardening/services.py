"""Real processes the hardening tests start and stop themselves: a private redis-server on a
spare port (never the machine's shared one) and the app served by gunicorn."""

import socket
import subprocess
import sys
from pathlib import Path

import redis as redis_py
import requests

from tests.conftest import ROOT, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path / "redis"
        self.dir.mkdir(exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return bool(redis_py.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis_py.RedisError:
            return False

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=(self.dir / "redis.log").open("ab"), stderr=subprocess.STDOUT)
        wait_for(self.ping, timeout=15, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        wait_for(lambda: not self.ping(), timeout=10, what="redis-server to stop")


class AppServer:
    """gunicorn serving the project's WSGI app on 127.0.0.1:<spare port>."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *, workers: int = 1) -> None:
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.log_path = tmp_path / "gunicorn.log"
        # one line per request: "<worker pid> <status> <request line>"
        self.access_log_path = tmp_path / "gunicorn-access.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _up(self) -> bool:
        try:
            return requests.get(self.url + "/en/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start(self) -> "AppServer":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ccucaas_privacy.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--threads", "4", "--timeout", "60", "--access-logfile", str(self.access_log_path),
             "--access-logformat", "%(p)s %(s)s %(r)s"],
            cwd=ROOT, env=self.env, stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT)
        wait_for(self._up, timeout=60, what="gunicorn to serve the portal")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def access_log(self) -> list[tuple[str, str, str]]:
        """(worker pid, status, request line) of every request served so far."""
        if not self.access_log_path.exists():
            return []
        lines = self.access_log_path.read_text(errors="replace").splitlines()
        return [tuple(line.split(" ", 2)) for line in lines if line.count(" ") >= 2]


def csrf_post(session: requests.Session, url: str, data: dict) -> requests.Response:
    """GET the form (sets the CSRF cookie), then POST it with the token, as a browser does."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = session.cookies["csrftoken"]
    return session.post(url, data={**data, "csrfmiddlewaretoken": token}, timeout=30,
                        allow_redirects=False)
