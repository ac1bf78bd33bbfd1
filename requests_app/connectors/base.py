"""What every connector shares: the dispatch it sends and the errors it raises."""

import os
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_SECONDS = 10


class ConnectorError(Exception):
    """Sending failed (network, 5xx, refused); the propagation is retried with backoff."""


class SignatureError(Exception):
    """A status callback whose signature does not verify."""


@dataclass
class Dispatch:
    """One correction or deletion for one processor."""

    id: str  # the propagation's public id: OpenDSR subject_request_id, webhook id
    type: str  # "erasure" or "rectification"
    identities: list[dict[str, str]]
    submitted_time: str
    callback_url: str
    changes: dict[str, str] = field(default_factory=dict)


def env_secret(name: str) -> str:
    """Credentials live in the environment; the Processor row only names the variable."""
    if not name:
        return ""
    value = os.environ.get(name, "")
    if not value:
        raise ConnectorError(f"environment variable {name} is not set")
    return value


class Connector:
    def __init__(self, processor) -> None:
        self.processor = processor

    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        raise NotImplementedError

    def verify_callback(self, *, body: bytes, headers) -> dict[str, Any]:
        raise NotImplementedError
