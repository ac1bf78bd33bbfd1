"""Who acts when no person does (issue 25): automation calls the same services as staff, and
every event those services append while `acting_as("automation", rule=...)` is active carries
`{"actor": "automation", "rule": ...}` in its data (the event's `actor` column names people)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_acting: ContextVar[dict[str, Any] | None] = ContextVar("requests_app_acting", default=None)


@contextmanager
def acting_as(label: str, **data: Any) -> Iterator[None]:
    token = _acting.set({"actor": label, **data})
    try:
        yield
    finally:
        _acting.reset(token)


def acting_data() -> dict[str, Any]:
    """What the current non-person actor adds to an event's data ({} when a person acts)."""
    return dict(_acting.get() or {})
