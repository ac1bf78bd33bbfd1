"""A test authorized agent, written from the Data Rights Protocol specification
(consumer-reports-innovation-lab/data-rights-protocol, `data-rights-protocol.md`):

- 3.07.1 "Ed25519 Key Semantics, Request Signing": a real Ed25519 key (PyNaCl); each message
  is the JSON document with the signature prepended (libsodium combined mode), base64 encoded,
  sent as `text/plain`.
- 2.05 "Pair-wise Key Setup": POST /v1/agent/{agent-id} with agent-id, business-id,
  issued-at, expires-at, drp.version; the answer {"agent-id", "token"} gives the Bearer token.
- 2.01 exercise, 2.02 status, 2.04 revoke, 2.06 agent information: `Authorization: Bearer`.
- 3.03 "Status of a Data Subject Exercise Request" and 3.06 "Error States": `check_status`
  and `check_error` are strict about what those sections require of the covered business.
- 2.03 "Status Callback": `CallbackServer` is the agent's real HTTP endpoint on 127.0.0.1.
"""

import base64
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import nacl.signing
import requests

STATES = {"open", "in_progress", "fulfilled", "revoked", "denied", "expired"}
REASONS = {"need_user_verification", "suspected_fraud", "insuf_verification", "no_match",
           "claim_not_covered", "outside_jurisdiction", "too_many_requests", "other"}
DRP_VERSION = "1.0"


def _iso_utc(value: str) -> datetime:
    assert value.endswith("+00:00"), f"timestamp without +00:00 offset: {value}"
    return datetime.fromisoformat(value)


def check_status(body: dict[str, Any]) -> dict[str, Any]:
    """3.03: request_id and status are required; reason from 3.02; received_at present."""
    assert isinstance(body, dict)
    assert isinstance(body["request_id"], str) and body["request_id"]
    assert body["status"] in STATES, body
    if "reason" in body:
        assert body["reason"] in REASONS, body
    _iso_utc(body["received_at"])
    if body["status"] == "in_progress":  # 3.03: an acknowledged request carries expected_by
        _iso_utc(body["expected_by"])
    if body.get("reason") == "need_user_verification":  # 3.02.1
        assert body["user_verification_url"].startswith(("https://", "http://"))
    return body


def check_error(response: requests.Response, status: int) -> dict[str, Any]:
    """3.06: non-200, application/json, `code` is the HTTP status as a string, `message`."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == str(status) and isinstance(body["message"], str) and body["message"]
    assert isinstance(body.get("fatal", False), bool)
    return body


class DrpAgent:
    def __init__(self, api_base: str, *, agent_id: str, business_id: str) -> None:
        self.api_base = api_base.rstrip("/")
        self.agent_id = agent_id
        self.business_id = business_id
        self.signing_key = nacl.signing.SigningKey.generate()
        self.token = ""

    @property
    def verify_key(self) -> str:
        """3.05.1: the directory holds the base64 verify key."""
        return base64.b64encode(bytes(self.signing_key.verify_key)).decode()

    def envelope(self, *, now: datetime | None = None, window: float = 300,
                 issued_offset: float = -1, **claims: Any) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        issued = now + timedelta(seconds=issued_offset)
        return {"agent-id": self.agent_id, "business-id": self.business_id,
                "issued-at": issued.isoformat(),
                "expires-at": (issued + timedelta(seconds=window)).isoformat(),
                "drp.version": DRP_VERSION, **claims}

    def sign(self, document: Any, *, key: nacl.signing.SigningKey | None = None) -> bytes:
        raw = document if isinstance(document, bytes) else json.dumps(document).encode()
        return base64.b64encode((key or self.signing_key).sign(raw))  # signature + message

    def _headers(self) -> dict[str, str]:
        return {"Content-Type": "text/plain", **(
            {"Authorization": f"Bearer {self.token}"} if self.token else {})}

    def key_setup(self, body: bytes | None = None) -> requests.Response:
        response = requests.post(f"{self.api_base}/v1/agent/{self.agent_id}",
                                 data=body if body is not None else self.sign(self.envelope()),
                                 headers={"Content-Type": "text/plain"}, timeout=10)
        if response.status_code == 200:
            body = response.json()
            assert body["agent-id"] == self.agent_id and isinstance(body["token"], str)
            self.token = body["token"]
        return response

    def agent_info(self) -> requests.Response:
        return requests.get(f"{self.api_base}/v1/agent/{self.agent_id}",
                            headers=self._headers(), timeout=10)

    def exercise(self, body: bytes | None = None, *, path: str = "/v1/data-rights-request",
                 **claims: Any) -> requests.Response:
        data = body if body is not None else self.sign(self.envelope(**claims))
        return requests.post(self.api_base + path, data=data, headers=self._headers(),
                             timeout=10)

    def status(self, request_id: str) -> requests.Response:
        return requests.get(f"{self.api_base}/v1/data-rights-request/{request_id}",
                            headers=self._headers(), timeout=10)

    def revoke(self, request_id: str, body: bytes | None = None, *, reason: str = ""
               ) -> requests.Response:
        data = body if body is not None else self.sign(self.envelope(reason=reason))
        return requests.delete(f"{self.api_base}/v1/data-rights-request/{request_id}",
                               data=data, headers=self._headers(), timeout=10)


class CallbackServer:
    """The agent's Status Callback endpoint (2.03): records each POSTed status object; answers
    503 `fail_next` times first (to prove retries), then 200."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                assert self.headers.get("Content-Type", "").startswith("application/json")
                status = check_status(json.loads(body))
                code = 503 if server.fail_next > 0 else 200
                server.fail_next = max(server.fail_next - 1, 0)
                server.received.append({"status": status, "answered": code})
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/update_status"

    def __enter__(self) -> "CallbackServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def statuses(self) -> list[str]:
        return [entry["status"]["status"] for entry in self.received if entry["answered"] == 200]
