"""One JSON error shape for every API error (RFC 9457 problem details fields).

{"type": "about:blank", "title": "...", "status": 400, "code": "invalid", "detail": "...",
 "errors": {"field": ["message", ...]}}   # `errors` only for field validation
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ccucaas_privacy.errors import DomainError


def _problem(*, status_code: int, code: str, detail: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _problem_title(status_code),
        "status": status_code,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def _problem_title(status_code: int) -> str:
    titles = {
        400: _("Invalid request"),
        401: _("Authentication required"),
        403: _("Permission denied"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }
    return titles.get(status_code, _("Error"))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(
            _problem(status_code=exc.status, code=exc.code, detail=exc.message,
                     errors=exc.details or None),
            status=exc.status,
        )
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = _problem(status_code=response.status_code, code="invalid",
                                 detail=_("The submitted data is not valid."), errors=errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = _problem(status_code=response.status_code, code=str(code),
                                 detail=str(detail))
    return response


def problem_body(status_code: int, code: str, detail: str, errors: Any = None) -> dict[str, Any]:
    """The shared error body, for plain Django views that answer JSON (provider callbacks)."""
    return _problem(status_code=status_code, code=code, detail=detail, errors=errors)


def problem_response(status_code: int, code: str, detail: str) -> Response:
    """For API views that must answer an error without raising."""
    return Response(_problem(status_code=status_code, code=code, detail=detail),
                    status=status_code)


__all__ = ["exception_handler", "problem_response", "status"]


def paginated_response(view, rows, serializer_class) -> Response:
    """One page of `rows` (a GenericAPIView's paginator, with its `next`/`previous` links), each
    row shown through `serializer_class`."""
    page = view.paginate_queryset(rows)
    return view.get_paginated_response(serializer_class(page, many=True).data)
