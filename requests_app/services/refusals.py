"""Refusal grounds (APPI Art. 33(2), 36; issue 21).

Refusing a request needs a ground and an explanation, both told to the person (portal detail,
reply email). A disclosure may be refused, in whole or in part, only on a statutory ground of
Art. 33(2) (harm to the person or a third party, serious hindrance to the business, another
law) or for a reason of the list that is not a refusal to disclose data held (identity not
established, no such data, unclear request); any other request for a reason of the list. A
partial disclosure lists what was withheld, the statutory ground and why.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.rules import enforces
from requests_app.models import (
    DataSubjectRequest,
    DisclosureRefusalGround,
    RefusalReason,
    RequestType,
)

WITHHELD_MAX = 50
# Reasons of the list a disclosure may also be refused for: none withholds data that is held.
DISCLOSURE_PROCEDURAL = (RefusalReason.IDENTITY_NOT_ESTABLISHED, RefusalReason.DATA_NOT_HELD,
                         RefusalReason.REQUEST_UNCLEAR)


def grounds_allowed(request_type: str) -> list[str]:
    if request_type == RequestType.DISCLOSURE:
        return [*DisclosureRefusalGround.values, *DISCLOSURE_PROCEDURAL]
    return list(RefusalReason.values)


def ground_label(ground: str) -> str:
    for choices in (DisclosureRefusalGround, RefusalReason):
        if ground in choices.values:
            return str(choices(ground).label)
    return ""


@enforces("APPI-33")
def refusal_validate(*, request_type: str, ground: str, explanation: str) -> tuple[str, str]:
    """(ground, explanation) checked: a ground allowed for the type and a non-empty explanation."""
    errors: dict[str, list[str]] = {}
    if ground not in grounds_allowed(request_type):
        errors["ground"] = [_("Choose a ground from the list.") if request_type != RequestType.DISCLOSURE
                            else _("A disclosure can only be refused on a ground of APPI Art. 33(2) "
                                   "or for a reason of the list.")]
    if not isinstance(explanation, str) or not explanation.strip():
        errors["reason"] = [_("Explain the refusal to the person.")]
    elif len(explanation) > settings.REQUESTS["TEXT_MAX_CHARS"]:
        errors["reason"] = [_("At most %(limit)d characters.") % {
            "limit": settings.REQUESTS["TEXT_MAX_CHARS"]}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="invalid_refusal", details=errors)
    return ground, explanation


@enforces("APPI-33")
def withheld_clean(*, request: DataSubjectRequest, withheld: Any) -> list[dict[str, str]]:
    """A partial disclosure: each item names what is withheld, a statutory ground, and why."""
    if withheld in (None, "", []):
        return []
    message = _("List what is withheld, each with a ground of APPI Art. 33(2) and an explanation.")
    if request.type != RequestType.DISCLOSURE:
        raise DomainError(_("Only a disclosure can withhold part of the data."),
                          code="invalid_withheld", details={"withheld": [message]})
    if not isinstance(withheld, list) or len(withheld) > WITHHELD_MAX:
        raise DomainError(message, code="invalid_withheld", details={"withheld": [message]})
    cleaned = []
    for item in withheld:
        if (not isinstance(item, dict) or set(item) - {"what", "ground", "explanation"}
                or item.get("ground") not in DisclosureRefusalGround.values
                or not all(isinstance(item.get(k), str) and item[k].strip()
                           and len(item[k]) <= 2000 for k in ("what", "explanation"))):
            raise DomainError(message, code="invalid_withheld", details={"withheld": [message]})
        cleaned.append({"what": item["what"].strip(), "ground": item["ground"],
                        "explanation": item["explanation"].strip()})
    return cleaned


def refusal_context(request: DataSubjectRequest) -> dict[str, Any]:
    """What the person is told (emails, portal), in the active language."""
    return {
        "refusal_ground": request.refusal_ground,
        "refusal_ground_label": ground_label(request.refusal_ground),
        "withheld": [{**w, "ground_label": ground_label(w["ground"])}
                     for w in (request.withheld or [])],
    }
