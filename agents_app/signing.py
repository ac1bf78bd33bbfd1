"""Signed messages of the Data Rights Protocol (spec 3.07, 3.07.1).

A POST or DELETE body is `text/plain`: base64 of libsodium's combined form, the 64-byte
Ed25519 signature followed by the JSON document. It is checked in the order 3.07 lays down:
decode, verify with the key of the agent that owns the Bearer token (or, for the key setup of
2.05, the agent named in the URL), `agent-id` is that agent, `business-id` is ours,
now >= `issued-at`, now < `expires-at`; we also refuse windows longer than
DRP["MAX_WINDOW_SECONDS"] and a message already accepted once (replay).
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import nacl.exceptions
import nacl.signing
from django.conf import settings
from django.utils.translation import gettext as _

from agents_app.models import Agent
from ccucaas_privacy.errors import DomainError


class DrpError(DomainError):
    """An error state of spec 3.06: answered as {"code", "message", "fatal"}."""

    status = 400
    code = "drp_error"

    def __init__(self, message: str, *, status: int = 400, fatal: bool = False) -> None:
        super().__init__(message, status=status)
        self.fatal = fatal


@dataclass(frozen=True)
class Verified:
    agent: Agent
    claims: dict[str, Any]
    digest: str  # SHA-256 of the decoded signed message (replay record)
    expires_at: datetime


def verify_key_valid(value: str) -> bool:
    try:
        nacl.signing.VerifyKey(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError, TypeError, nacl.exceptions.CryptoError):
        return False
    return True


def _decode(body: bytes) -> bytes:
    try:
        text = body.decode("ascii").strip()
        return base64.b64decode(text, validate=True)
    except (UnicodeDecodeError, binascii.Error, ValueError) as exc:
        raise DrpError(_("The body is not base64 of a signed message."), status=400) from exc


def _open(agent: Agent, signed: bytes) -> bytes:
    try:
        key = nacl.signing.VerifyKey(base64.b64decode(agent.verify_key))
        return key.verify(signed)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError,
            binascii.Error) as exc:
        raise DrpError(_("The signature does not verify with this agent's key."),
                       status=403) from exc


def _timestamp(claims: dict, name: str) -> datetime:
    value = claims.get(name)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise DrpError(_("“%(name)s” must be an ISO 8601 timestamp with a time zone.")
                       % {"name": name}, status=400)
    return parsed


def _check_times(claims: dict, now: datetime) -> datetime:
    issued = _timestamp(claims, "issued-at")
    expires = _timestamp(claims, "expires-at")
    if now < issued:
        raise DrpError(_("The message was issued in the future (issued-at)."), status=403)
    if now >= expires:
        raise DrpError(_("The message has expired (expires-at)."), status=403, fatal=True)
    limit = settings.DRP["MAX_WINDOW_SECONDS"]
    if expires - issued > timedelta(seconds=limit):
        raise DrpError(_("The validity window is longer than %(seconds)d seconds.")
                       % {"seconds": limit}, status=403)
    return expires


def message_verify(*, body: bytes, agent: Agent, now: datetime) -> Verified:
    """Verify a signed message for `agent` (3.07); raises DrpError, changes nothing."""
    signed = _decode(body)
    document = _open(agent, signed)
    try:
        claims = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DrpError(_("The signed document is not JSON."), status=400) from exc
    if not isinstance(claims, dict):
        raise DrpError(_("The signed document must be a JSON object."), status=400)
    if claims.get("agent-id") != agent.agent_id:
        raise DrpError(_("agent-id does not match the agent of this token."), status=403)
    if claims.get("business-id") != settings.DRP["BUSINESS_ID"]:
        raise DrpError(_("business-id is not this covered business."), status=403)
    expires = _check_times(claims, now)
    return Verified(agent=agent, claims=claims, digest=hashlib.sha256(signed).hexdigest(),
                    expires_at=expires)
