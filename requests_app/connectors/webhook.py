"""Signed JSON webhook: we POST the dispatch signed with HMAC-SHA256 (header
`X-CCUCaaS-Signature: t=<unix time>,v1=<hex HMAC of "<t>.<body>">`, key from the environment);
the provider confirms by POSTing `{"id": ..., "status": "completed"}` to the callback URL,
signed the same way with the same key. A signature older than 5 minutes is refused (replay).
The key must be at least 32 bytes: an empty or short key neither signs nor verifies."""

import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings

from ccucaas_privacy.outbound import OutboundError, outbound_post
from requests_app.connectors.base import (
    TIMEOUT_SECONDS,
    Connector,
    ConnectorError,
    Dispatch,
    SignatureError,
    env_secret,
    error_for_status,
    json_object,
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


def _secret(processor) -> str:
    secret = env_secret(processor.secret_env)
    if len(secret.encode()) < settings.PROCESSOR_WEBHOOK_SECRET_MIN_BYTES:
        raise ConnectorError("webhook secret shorter than 32 bytes", permanent=True)
    return secret


class WebhookConnector(Connector):
    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        kind = {"erasure": "erasure", "restriction": "restriction"}.get(
            dispatch.type, "rectification")  # our own format
        payload = {"id": dispatch.id, "type": kind,
                   "identities": dispatch.identities, "changes": dispatch.changes,
                   "submitted_time": dispatch.submitted_time,
                   "callback_url": dispatch.callback_url}
        if dispatch.type == "restriction":  # APPI Art. 35: stop of use or of provision
            payload["restriction"] = dispatch.restriction
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(_secret(self.processor), body),
                   "Idempotency-Key": dispatch.id}
        try:
            response = outbound_post(self.processor.endpoint_url, data=body, headers=headers,
                                     timeout=TIMEOUT_SECONDS)
        except OutboundError as exc:
            raise ConnectorError(exc.reason, permanent=exc.reason.startswith("address refused")
                                 ) from exc
        if not 200 <= response.status < 300:
            raise error_for_status(response.status)
        return {"http_status": response.status}

    def verify_callback(self, *, body: bytes, headers, callback_url: str) -> dict[str, Any]:
        try:
            secret = _secret(self.processor)
        except ConnectorError as exc:
            raise SignatureError(str(exc)) from exc
        verify(secret, body, headers.get(SIGNATURE_HEADER, ""))
        payload = json_object(body)
        return {"id": str(payload.get("id", "")), "status": str(payload.get("status", "")),
                "raw": payload}
