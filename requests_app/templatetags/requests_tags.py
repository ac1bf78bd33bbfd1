from django import template

from requests_app.selectors import format_jst

register = template.Library()


@register.filter
def jst(value) -> str:
    """An instant in Japan time, e.g. 2026-12-30 00:00 JST (RULES.md: dates in Asia/Tokyo)."""
    return format_jst(value)
