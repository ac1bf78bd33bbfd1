"""What a request of each type carries in `details`, and how it is checked (issue 6, "Bad input").

Free text is stored exactly as given (Japanese, emoji, even markup: it is escaped on output);
unknown keys, wrong types, missing or oversized values, and corrections of fields that do not
exist or are not correctable are refused with the field named.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ccucaas_privacy.errors import DomainError
from requests_app.models import DisclosureMethod, RequestType, StopGround

# P21: the account data a user can correct here (more sources arrive with fulfilment).
CORRECTABLE_FIELDS: dict[str, Any] = {
    "username": gettext_lazy("Username"),
    "email": gettext_lazy("Email address"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "language": gettext_lazy("Preferred language"),
}

_OPTIONAL_NOTE = {"note": False}
SHAPES: dict[str, dict[str, bool]] = {  # key -> required
    # APPI Art. 33(1): "method" electronic (default) or paper
    RequestType.DISCLOSURE: {"note": False, "method": False},
    # APPI Art. 35 (issue 21): grounds from StopGround (one or more) and what is concerned
    RequestType.STOP_USE: {"grounds": True, "purposes": True, "erase": False, "note": False},
    RequestType.STOP_PROVISION: {"grounds": True, "recipients": True, "note": False},
    RequestType.PURPOSE_NOTICE: _OPTIONAL_NOTE,
    RequestType.DELETION: _OPTIONAL_NOTE,
    RequestType.INQUIRY: {"subject": True, "message": True},
    RequestType.CORRECTION: {"items": True, "note": False},
}
SUBJECT_MAX_CHARS = 200


class DetailsError(DomainError):
    status = 400
    code = "invalid_details"


def _max_chars() -> int:
    return settings.REQUESTS["TEXT_MAX_CHARS"]


def correctable_values(user) -> list[dict[str, str]]:
    """The user's correctable fields with their current values (what the correction form lists)."""
    return [
        {"field": name, "label": str(label), "current_value": str(getattr(user, name, "") or "")}
        for name, label in CORRECTABLE_FIELDS.items()
    ]


def _text(value: Any, *, key: str, required: bool, limit: int, errors: dict) -> str:
    if value is None or value == "":
        if required:
            errors[key] = [_("This field is required.")]
        return ""
    if not isinstance(value, str):
        errors[key] = [_("Must be text.")]
        return ""
    if required and not value.strip():
        errors[key] = [_("This field is required.")]
    if len(value) > limit:
        errors[key] = [_("At most %(limit)d characters.") % {"limit": limit}]
    return value


def _correction_items(items: Any, *, user, errors: dict) -> list[dict[str, str]]:
    if not isinstance(items, list) or not items:
        errors["items"] = [_("List at least one field to correct.")]
        return []
    if len(items) > settings.REQUESTS["CORRECTION_MAX_ITEMS"]:
        errors["items"] = [_("Too many fields in one request.")]
        return []
    current = {row["field"]: row["current_value"] for row in correctable_values(user)} if user else {}
    cleaned, seen = [], set()
    for index, item in enumerate(items):
        item_errors: dict[str, list[str]] = {}
        if not isinstance(item, dict):
            errors[f"items.{index}"] = [_("Each item must be an object.")]
            continue
        unknown = set(item) - {"field", "current_value", "requested_value", "reason"}
        if unknown:
            item_errors["non_field_errors"] = [
                _("Unknown keys: %(keys)s") % {"keys": ", ".join(sorted(map(str, unknown)))}]
        field = item.get("field")
        if field not in CORRECTABLE_FIELDS:
            item_errors["field"] = [_("This field does not exist or cannot be corrected here.")]
        elif field in seen:
            item_errors["field"] = [_("This field is listed twice.")]
        seen.add(field)
        requested = _text(item.get("requested_value"), key="requested_value", required=True,
                          limit=SUBJECT_MAX_CHARS, errors=item_errors)
        reason = _text(item.get("reason"), key="reason", required=False, limit=_max_chars(),
                       errors=item_errors)
        given_current = _text(item.get("current_value"), key="current_value", required=False,
                              limit=SUBJECT_MAX_CHARS, errors=item_errors)
        if item_errors:
            errors[f"items.{index}"] = item_errors
            continue
        cleaned.append({
            "field": field,
            # With an account we record what the value really is, not what was typed.
            "current_value": current.get(field, given_current),
            "requested_value": requested,
            "reason": reason,
        })
    return cleaned


def _choices(value: Any, *, key: str, allowed: list[str], errors: dict, empty: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        errors[key] = [empty]
        return []
    unknown = [v for v in value if not isinstance(v, str) or v not in allowed]
    if unknown:
        errors[key] = [_("Not in the list: %(values)s") % {
            "values": ", ".join(str(v)[:60] for v in unknown)}]
        return []
    return list(dict.fromkeys(value))


def _grounds(value: Any, *, required: bool, errors: dict) -> list[str]:
    return _choices(value, key="grounds", allowed=StopGround.values, errors=errors,
                    empty=_("Choose at least one ground."))


def _purposes(value: Any, *, required: bool, errors: dict) -> list[str]:
    from consent_app.selectors import restrictable_purpose_codes

    return _choices(value, key="purposes", allowed=restrictable_purpose_codes(), errors=errors,
                    empty=_("Choose at least one purpose."))


def _recipients(value: Any, *, required: bool, errors: dict) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not [v for v in value if isinstance(v, str) and v.strip()]:
        errors["recipients"] = [_("Name at least one recipient (or all third parties).")]
        return []
    if any(not isinstance(v, str) or len(v) > SUBJECT_MAX_CHARS for v in value):
        errors["recipients"] = [_("Each recipient is a name of at most %(limit)d characters.") % {
            "limit": SUBJECT_MAX_CHARS}]
        return []
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _erase(value: Any, *, required: bool, errors: dict) -> bool | None:
    if value in (None, "", False):
        return None
    if value is not True:
        errors["erase"] = [_("Must be true or false.")]
        return None
    return True


def _method(value: Any, *, required: bool, errors: dict) -> str:
    if value in (None, ""):
        return ""
    if value not in DisclosureMethod.values:
        errors["method"] = [_("Choose electronic or paper.")]
        return ""
    return value


_APPI_KEYS = {"grounds": _grounds, "purposes": _purposes, "recipients": _recipients,
              "erase": _erase, "method": _method}


def details_clean(*, type: str, details: Any, user=None) -> dict[str, Any]:
    """Validated `details` for a request of `type`; raises DetailsError naming every problem."""
    if type not in SHAPES:
        raise DomainError(_("Unknown request type."), code="unknown_type",
                          details={"type": [_("Choose one of the listed request types.")]})
    if details is None:
        details = {}
    if not isinstance(details, dict):
        raise DetailsError(_("The request details are not valid."),
                           details={"details": [_("Must be an object.")]})
    shape = SHAPES[type]
    errors: dict[str, Any] = {}
    unknown = set(details) - set(shape)
    if unknown:
        errors["non_field_errors"] = [
            _("Unknown keys: %(keys)s") % {"keys": ", ".join(sorted(map(str, unknown)))}]
    cleaned: dict[str, Any] = {}
    for key, required in shape.items():
        if key in _APPI_KEYS:
            value = _APPI_KEYS[key](details.get(key), required=required, errors=errors)
            if value not in (None, "", []):
                cleaned[key] = value
            continue
        if key == "items":
            cleaned["items"] = _correction_items(details.get("items"), user=user, errors=errors)
            continue
        limit = SUBJECT_MAX_CHARS if key == "subject" else _max_chars()
        value = _text(details.get(key), key=key, required=required, limit=limit, errors=errors)
        if value:
            cleaned[key] = value
    if errors:
        raise DetailsError(_("The request details are not valid."), details={"details": errors})
    return cleaned
