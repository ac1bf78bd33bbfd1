"""Portal views of the personal data in an account: contacts (P04), files (P07), forum posts.

Every object is looked up through a selector scoped to the signed-in user: another user's
object is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts_app import selectors, services_data
from accounts_app.forms import ContactForm, ContactImportForm, ContentFileForm, ForumPostForm
from accounts_app.services_data import ContactImportError
from ccucaas_privacy.errors import DomainError


def _add_errors(form, exc: ValidationError) -> None:
    messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, msgs in messages_by_field.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    services_data.usage_record(user=request.user, feature="contacts")
    return render(request, "accounts_app/contacts.html",
                  {"contacts": selectors.contacts_for_user(user=request.user)})


@login_required
def contact_edit(request: HttpRequest, public_id=None) -> HttpResponse:
    contact = (selectors.contact_get_for_user(user=request.user, public_id=public_id)
               if public_id else None)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ContactForm.Meta.fields}
        try:
            if contact is None:
                services_data.contact_create(user=request.user, **fields)
            else:
                services_data.contact_update(contact=contact, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("accounts:contacts")
    title = _("Edit contact") if contact else _("Add a contact")
    return render(request, "accounts_app/form.html", {"form": form, "title": title})


@login_required
@require_POST
def contact_delete(request: HttpRequest, public_id) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, public_id=public_id)
    services_data.contact_delete(contact=contact)
    messages.success(request, _("The contact was deleted."))
    return redirect("accounts:contacts")


@login_required
def contacts_import(request: HttpRequest) -> HttpResponse:
    form = ContactImportForm(request.POST or None, request.FILES or None)
    row_errors: list = []
    if request.method == "POST" and form.is_valid():
        try:
            created = services_data.contacts_import_csv(user=request.user,
                                                        data=form.cleaned_data["file"].read())
        except ContactImportError as exc:
            form.add_error(None, exc.message)
            row_errors = exc.row_errors
        else:
            messages.success(request, _("%(count)d contacts were imported.") % {"count": len(created)})
            return redirect("accounts:contacts")
    status = 400 if form.errors else 200
    return render(request, "accounts_app/contacts_import.html",
                  {"form": form, "row_errors": row_errors}, status=status)


@login_required
def content_files(request: HttpRequest) -> HttpResponse:
    form = ContentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_data.content_file_create(user=request.user,
                                              upload=form.cleaned_data["file"],
                                              storage_region=form.cleaned_data["storage_region"])
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("The file was stored."))
            return redirect("accounts:files")
    status = 400 if form.errors else 200
    return render(request, "accounts_app/files.html", {
        "form": form, "files": selectors.content_files_for_user(user=request.user),
        "storage_used": selectors.storage_used_bytes(user=request.user),
    }, status=status)


@login_required
@require_POST
def content_file_delete(request: HttpRequest, public_id) -> HttpResponse:
    content = selectors.content_file_get_for_user(user=request.user, public_id=public_id)
    services_data.content_file_delete(content=content)
    messages.success(request, _("The file was deleted."))
    return redirect("accounts:files")


@login_required
def forum_posts(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts_app/posts.html",
                  {"posts": selectors.forum_posts_for_user(user=request.user)})


@login_required
def forum_post_edit(request: HttpRequest, public_id=None) -> HttpResponse:
    post = (selectors.forum_post_get_for_user(user=request.user, public_id=public_id)
            if public_id else None)
    form = ForumPostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ForumPostForm.Meta.fields}
        try:
            if post is None:
                services_data.forum_post_create(user=request.user, **fields)
            else:
                services_data.forum_post_update(post=post, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The post was saved."))
            return redirect("accounts:posts")
    title = _("Edit post") if post else _("Write a post")
    return render(request, "accounts_app/form.html", {"form": form, "title": title})


@login_required
@require_POST
def forum_post_delete(request: HttpRequest, public_id) -> HttpResponse:
    post = selectors.forum_post_get_for_user(user=request.user, public_id=public_id)
    services_data.forum_post_delete(post=post)
    messages.success(request, _("The post was deleted."))
    return redirect("accounts:posts")
