"""The fields of an agent directory entry (spec 3.05.1), checked before they are stored."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from agents_app.signing import verify_key_valid
from ccucaas_privacy.errors import DomainError

AGENT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")  # 3.05.1 gives [A-Z_]+; directories vary
TEXT_FIELDS = {"name": 200, "technical_contact": 254, "business_contact": 254}
URL_FIELDS = ("web_url", "identity_assurance_url")
KNOWN = {"name", "verify_key", "web_url", "identity_assurance_url", "technical_contact",
         "business_contact", "active"}


def _error(field: str, message: str) -> DomainError:
    return DomainError(message, details={field: [message]})


def agent_fields_clean(*, agent_id: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(agent_id, str) or not AGENT_ID.match(agent_id):
        raise _error("id", _("The agent id must be 1-100 letters, digits, “_”, “.” or “-”."))
    unknown = set(fields) - KNOWN
    if unknown:
        raise _error("non_field_errors", _("Unknown keys: %(keys)s")
                     % {"keys": ", ".join(sorted(map(str, unknown)))})
    cleaned: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        if name in fields:
            value = fields[name]
            if not isinstance(value, str) or len(value) > limit or (name == "name" and not value.strip()):
                raise _error(name, _("“%(name)s” must be text of at most %(limit)d characters.")
                             % {"name": name, "limit": limit})
            cleaned[name] = value.strip()
    for name in URL_FIELDS:
        if name in fields and not fields[name]:
            cleaned[name] = ""
        elif fields.get(name):
            try:
                URLValidator(schemes=["https"])(fields[name])
            except ValidationError as exc:
                raise _error(name, _("“%(name)s” must be an https URL.") % {"name": name}) from exc
            cleaned[name] = fields[name]
    if "verify_key" in fields:
        if not isinstance(fields["verify_key"], str) or not verify_key_valid(fields["verify_key"]):
            raise _error("verify_key", _("The verify key must be a base64 Ed25519 public key "
                                         "(32 bytes)."))
        cleaned["verify_key"] = fields["verify_key"]
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            raise _error("active", _("“active” must be true or false."))
        cleaned["active"] = fields["active"]
    return cleaned
