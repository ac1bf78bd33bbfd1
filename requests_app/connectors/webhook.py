"""Signed JSON webhook: we POST the dispatch signed with HMAC-SHA256 (header
`X-CCUCaaS-Signature: t=<unix time>,v1=<hex HMAC of "<t>.<body>">`, key from the environment);
the provider confirms by POSTing `{"id": ..., "status": "completed"}` to the callback URL,
signed the same way with the same key. A signature older than 5 minutes is refused (replay)."""

import hashlib
import hmac
import json
import time
from typing import Any

import requests

from requests_app.connectors.base import (
    TIMEOUT_SECONDS,
    Connector,
    ConnectorError,
    Dispatch,
    SignatureError,
    env_secret,
)

SIGNATURE_HEADER = "X-CCUCaaS-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None) -> None:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError as exc:
        raise SignatureError("no timestamp") from exc
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("signature too old")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise SignatureError("bad signature")


class WebhookConnector(Connector):
    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        body = json.dumps({"id": dispatch.id, "type": dispatch.type,
                           "identities": dispatch.identities, "changes": dispatch.changes,
                           "submitted_time": dispatch.submitted_time,
                           "callback_url": dispatch.callback_url}).encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(env_secret(self.processor.secret_env), body),
                   "Idempotency-Key": dispatch.id}
        try:
            response = requests.post(self.processor.endpoint_url, data=body, headers=headers,
                                     timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise ConnectorError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise ConnectorError(f"HTTP {response.status_code}: {response.text[:200]}")
        return {"http_status": response.status_code}

    def verify_callback(self, *, body: bytes, headers) -> dict[str, Any]:
        try:
            secret = env_secret(self.processor.secret_env)
        except ConnectorError as exc:
            raise SignatureError(str(exc)) from exc
        verify(secret, body, headers.get(SIGNATURE_HEADER, ""))
        payload = json.loads(body)
        return {"id": str(payload.get("id", "")), "status": str(payload.get("status", "")),
                "raw": payload}
