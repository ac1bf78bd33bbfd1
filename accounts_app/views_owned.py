"""One implementation of the portal pages that edit and delete the signed-in user's own rows
(contacts, forum posts, files, persistent logins).

An `Owned` names the selector that finds one row *of the signed-in user* (another user's row is
a 404: the selector is the only lookup), the services that write, and the messages. The views
never change state themselves: they validate the form and call the services.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


@dataclass(frozen=True)
class Owned:
    """A kind of row the user owns. `get(user=, public_id=)` is the user-scoped selector;
    `create(user=, **fields)`, `update(**{arg: row}, **fields)` and `delete(**{arg: row})` are
    the services; `arg` is the name the services give the row."""

    get: Callable[..., Any]
    delete: Callable[..., Any]
    arg: str
    list_url: str
    deleted: Any
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    form: type | None = None
    saved: Any = ""
    title_new: Any = ""
    title_edit: Any = ""


def form_add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form (on its field where it names one)."""
    messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, msgs in messages_by_field.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


def owned_edit_view(kind: Owned) -> Callable[..., HttpResponse]:
    """Add (no `public_id`) or edit (the user's row `public_id`) through `kind.form`."""

    @login_required
    def edit(request: HttpRequest, public_id=None) -> HttpResponse:
        row = kind.get(user=request.user, public_id=public_id) if public_id else None
        form = kind.form(request.POST or None, instance=row)
        if request.method == "POST" and form.is_valid():
            fields = {name: form.cleaned_data[name] for name in kind.form.Meta.fields}
            try:
                if row is None:
                    kind.create(user=request.user, **fields)
                else:
                    kind.update(**{kind.arg: row}, **fields)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, kind.saved)
                return redirect(kind.list_url)
        title = kind.title_edit if row else kind.title_new
        return render(request, "accounts_app/form.html", {"form": form, "title": title})

    return edit


def owned_delete_view(kind: Owned) -> Callable[..., HttpResponse]:
    """Delete (POST only) the user's row `public_id`."""

    @login_required
    @require_POST
    def delete(request: HttpRequest, public_id) -> HttpResponse:
        row = kind.get(user=request.user, public_id=public_id)
        kind.delete(**{kind.arg: row})
        messages.success(request, kind.deleted)
        return redirect(kind.list_url)

    return delete
