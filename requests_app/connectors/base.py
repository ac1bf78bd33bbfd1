"""What every connector shares: the dispatch it sends, the errors it raises, and how a
provider's answer becomes a short, safe reason (status code and phrase, never its body)."""

import json
import os
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from django.conf import settings

TIMEOUT_SECONDS = 10
RETRYABLE_4XX = (408, 429)


class ConnectorError(Exception):
    """Sending failed. Transient (network, 5xx, 408, 429): retried with backoff. Permanent
    (`permanent=True`: other 4xx, a redirect, a type the processor does not support): the
    propagation is marked failed at once and staff are alerted. `reason` is safe to store."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent


class SignatureError(Exception):
    """A status callback (or a response) whose signature or signer does not verify."""


class MalformedCallback(ValueError):
    """A correctly signed callback whose body is not the JSON object the protocol defines."""


@dataclass
class Dispatch:
    """One correction or deletion for one processor."""

    id: str  # the propagation's public id: OpenDSR subject_request_id, webhook id
    type: str  # "erasure", "correction" or "restriction" (APPI Art. 35 stop of use/provision)
    identities: list[dict[str, str]]
    submitted_time: str  # when the data subject made the original request (RFC 3339)
    callback_url: str
    changes: dict[str, str] = field(default_factory=dict)
    # A restriction: {"kind", "purposes", "recipients", "erase", "scope", "scope_note",
    # "effective_from"} (requests_app.services.restrictions.restriction_payload)
    restriction: dict[str, Any] = field(default_factory=dict)


def http_reason(status: int) -> str:
    """`HTTP 400 Bad Request`: what we keep of a provider's error answer."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown status"
    return f"HTTP {status} {phrase}"


def error_for_status(status: int) -> ConnectorError:
    if 300 <= status < 400:
        return ConnectorError(http_reason(status) + " (redirects are not followed)",
                              permanent=True)
    permanent = 400 <= status < 500 and status not in RETRYABLE_4XX
    return ConnectorError(http_reason(status), permanent=permanent)


def env_secret(name: str) -> str:
    """Credentials live in the environment; the Processor row only names the variable, and
    only variables named PROCESSOR_SECRET_... are ever read."""
    if not name:
        return ""
    if not name.startswith(settings.PROCESSOR_SECRET_PREFIX):
        raise ConnectorError(f"secret variable must be named {settings.PROCESSOR_SECRET_PREFIX}...",
                             permanent=True)
    value = os.environ.get(name, "")
    if not value:
        raise ConnectorError(f"environment variable {name} is not set", permanent=True)
    return value


def json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedCallback("the body is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedCallback("the body is not a JSON object")
    return payload


class Connector:
    def __init__(self, processor) -> None:
        self.processor = processor

    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        raise NotImplementedError

    def verify_callback(self, *, body: bytes, headers, callback_url: str) -> dict[str, Any]:
        raise NotImplementedError
