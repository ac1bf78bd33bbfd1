from django import template

from accounts_app.models import Language
from requests_app.details import CORRECTABLE_FIELDS
from requests_app.selectors.requests import format_jst

register = template.Library()


@register.filter
def jst(value) -> str:
    """An instant in Japan time, e.g. 2026-12-30 00:00 JST (RULES.md: dates in Asia/Tokyo)."""
    return format_jst(value)


@register.filter
def field_label(name: str) -> str:
    """The translated label of a correctable field (e.g. first_name -> 名)."""
    return str(CORRECTABLE_FIELDS.get(name, name))


@register.filter
def field_value(name: str, value) -> str:
    """A correctable field's value as a person reads it: the language's name, not its code."""
    if name == "language":
        return str(dict(Language.choices).get(value, value)) if value else "—"
    return value or "—"
