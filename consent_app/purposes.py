"""Purpose codes (RULES.md P02, P05, P07, P11, P12, P15, P20) and their validation."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.rules import enforces

MARKETING_EMAIL = "marketing_email"
TESTIMONIAL_PUBLICATION = "testimonial_publication"
CROSS_BORDER_STORAGE = "cross_border_storage"
PERSISTENT_LOGIN = "persistent_login"
ANALYTICS_TRACKING = "analytics_tracking"
THIRD_PARTY_PROVISION = "third_party_provision"
NEW_PURPOSE = "new_purpose"

PARAMETER_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class ParsedPurpose:
    code: str  # the full code recorded in the ledger
    base: str  # the Purpose row's code
    parameter: str = ""


@enforces("P15", "P20")
def purpose_parse(code: str):
    """Split `third_party_provision:acme` into base and parameter; refuse unknown codes.

    Returns (ParsedPurpose, Purpose row). Raises DomainError (code `unknown_purpose`).
    """
    from consent_app.models import Purpose

    raw = (code or "").strip()
    base, sep, parameter = raw.partition(":")
    row = Purpose.objects.filter(code=base).first()
    valid = row is not None and (
        (row.parameterised and sep and PARAMETER_RE.match(parameter))
        or (not row.parameterised and not sep)
    )
    if not valid:
        raise DomainError(
            _("Unknown purpose “%(code)s”.") % {"code": raw[:160]},
            code="unknown_purpose",
            details={"purpose": [str(_("Choose one of the listed purposes."))]},
        )
    return ParsedPurpose(code=raw, base=base, parameter=parameter), row
