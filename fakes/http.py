"""A threaded HTTP server on 127.0.0.1 shared by the fake ESPs: start/stop, JSON in and out,
recorded messages, and faults a test asks for (an HTTP status for the next calls, or holding
the response after the messages were accepted, as a slow or dying connection would)."""

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeServer:
    """Base of a fake ESP. Subclasses implement `handle(method, path, headers, body)` returning
    (status, json_body or None, extra_headers)."""

    def __init__(self, *, keep_messages: bool = True) -> None:
        self.keep_messages = keep_messages
        self.messages: list[dict[str, Any]] = []  # one per accepted message per recipient
        self.per_recipient: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()  # path -> number of requests
        self._faults: list[int] = []
        self._lock = threading.Lock()
        self.hold = threading.Event()  # set: accept, record, then never answer (until released)
        self.release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # --- what tests ask for ------------------------------------------------------------
    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` send calls with HTTP `status` (429, 500, 503), sending nothing."""
        with self._lock:
            self._faults.extend([status] * times)

    def accepted(self) -> int:
        with self._lock:
            return sum(self.per_recipient.values())

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.per_recipient.clear()
            self.calls.clear()
            self._faults.clear()

    # --- for subclasses ----------------------------------------------------------------
    def take_fault(self) -> int | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def record(self, recipient: str, message: dict[str, Any]) -> None:
        with self._lock:
            self.per_recipient[recipient.lower()] += 1
            if self.keep_messages:
                self.messages.append(message)

    def handle(self, method: str, path: str, headers, body: bytes):
        raise NotImplementedError

    def sends(self, path: str) -> bool:
        """Whether `path` sends email (only those calls are held)."""
        return True

    # --- the server ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "FakeServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                with fake._lock:
                    fake.calls[path] += 1
                status, payload, extra = fake.handle(self.command, path, self.headers, body)
                if fake.hold.is_set() and status < 300 and fake.sends(path):
                    fake.release.wait()  # accepted and recorded; the answer never comes
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if payload is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def json_body(body: bytes) -> Any:
    """The request's JSON, or raises ValueError."""
    return json.loads(body.decode("utf-8"))
