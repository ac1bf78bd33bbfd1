"""Forms and the services' answers (issue 18: one home for each shared mechanism)."""

from collections.abc import Iterable, Mapping

from django import forms


def form_errors_add(*, form: forms.BaseForm, errors: Mapping[str, Iterable]) -> None:
    """Show a service's field errors (`DomainError.details`, a `*_validate` result) on `form`:
    each under its field, or as a non-field error where the form has no such field."""
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)
