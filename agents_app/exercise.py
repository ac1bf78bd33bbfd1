"""What a Data Rights Exercise (spec 2.01) may carry, checked before anything is written:
the exercise (3.01), optional regime, relationships, status_callback and agent-request-id, and
the identity claims of 3.04 (schema.org/Person with OpenID Connect's address claim)."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from agents_app.signing import DrpError
from ccucaas_privacy.outbound import outbound_url_validate

# 3.01 spells the sale rights with an underscore in its table and a hyphen in its examples.
EXERCISES = {
    "access": "access", "deletion": "deletion",
    "access:categories": "access:categories", "access:specific": "access:specific",
    "sale:opt-out": "sale:opt-out", "sale:opt_out": "sale:opt-out",
    "sale:opt-in": "sale:opt-in", "sale:opt_in": "sale:opt-in",
}
SUPPORTED_ACTIONS = ["access", "deletion", "access:categories", "access:specific",
                     "sale:opt_out"]  # as the business directory schema (3.05.2) spells them
VERSIONS = {"0.9.3", "0.9.4", "1.0"}
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
ADDRESS_KEYS = {"formatted", "street_address", "locality", "region", "postal_code", "country"}
BOOLEAN_CLAIMS = ("email_verified", "phone_number_verified", "address_verified")
MAX_TEXT = 500


@dataclass
class Exercise:
    exercise: str
    regime: str = ""
    relationships: list[str] = field(default_factory=list)
    status_callback: str = ""
    agent_request_id: str = ""
    drp_version: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return self.claims.get("email", "")

    @property
    def email_verified(self) -> bool:
        return self.claims.get("email_verified") is True


def _bad(message: str) -> DrpError:
    return DrpError(message, status=400)


def _text(claims: dict, name: str, *, limit: int = MAX_TEXT) -> str:
    value = claims.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(_("“%(name)s” must be text of at most %(limit)d characters.")
                   % {"name": name, "limit": limit})
    return value.strip()


def callback_url_check(url: str) -> str:
    """https and not an address inside our network (ccucaas_privacy.outbound); delivery
    checks the resolved address again before each attempt."""
    if len(url) > 500:
        raise _bad(_("status_callback is too long."))
    try:
        outbound_url_validate(url)
    except ValidationError as exc:
        raise _bad(_("status_callback: %(problem)s") % {"problem": exc.messages[0]}) from exc
    return url


def _identity(claims: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("name", "power_of_attorney"):
        if value := _text(claims, name):
            out[name] = value
    email = _text(claims, "email", limit=254)
    if not email:
        raise _bad(_("The claim “email” is required: it is the verification we support."))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _bad(_("The claim “email” is not an email address.")) from exc
    out["email"] = email
    if phone := _text(claims, "phone_number", limit=16):
        if not E164.match(phone):
            raise _bad(_("The claim “phone_number” must be in E.164 form (+819012345678)."))
        out["phone_number"] = phone
    address = claims.get("address")
    if address is not None:
        if (not isinstance(address, dict) or set(address) - ADDRESS_KEYS
                or not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in address.values())):
            raise _bad(_("The claim “address” must be an OpenID Connect address object."))
        out["address"] = address
    for name in BOOLEAN_CLAIMS:
        if name in claims:
            if not isinstance(claims[name], bool):
                raise _bad(_("The claim “%(name)s” must be true or false.") % {"name": name})
            out[name] = claims[name]
    return out


def exercise_clean(claims: dict[str, Any]) -> Exercise:
    """The validated request, or DrpError(400) naming the first problem."""
    exercise = claims.get("exercise")
    if not isinstance(exercise, str) or exercise not in EXERCISES:
        raise _bad(_("Unsupported rights actions submitted."))
    version = claims.get("drp.version", "")
    if version and version not in VERSIONS:
        raise _bad(_("Unsupported drp.version."))
    relationships = claims.get("relationships", [])
    if (not isinstance(relationships, list) or len(relationships) > 20
            or not all(isinstance(r, str) and len(r) <= 100 for r in relationships)):
        raise _bad(_("“relationships” must be a list of short strings."))
    callback = _text(claims, "status_callback")
    return Exercise(
        exercise=EXERCISES[exercise], regime=_text(claims, "regime", limit=40),
        relationships=relationships,
        status_callback=callback_url_check(callback) if callback else "",
        agent_request_id=_text(claims, "agent-request-id", limit=200),
        drp_version=version, claims=_identity(claims),
    )
