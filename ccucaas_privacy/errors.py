"""The application's error type: services raise it, every interface maps it to one shape."""

from typing import Any


class DomainError(Exception):
    """A request the domain refuses (illegal transition, rule violation). Nothing was changed.

    `code` is a stable machine-readable slug; `message` is translatable text for people;
    `status` is the HTTP status interfaces use (400 bad input, 409 state conflict, 404 ...).
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}


class ConflictError(DomainError):
    """The object is not in a state that allows this (e.g. withdrawing a replied request)."""

    status = 409
    code = "conflict"
