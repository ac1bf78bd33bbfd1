"""Portal views of the personal data in an account: contacts (P04), files (P07), forum posts.

Every object is looked up through a selector scoped to the signed-in user: another user's
object is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts_app.forms import ContactForm, ContactImportForm, ContentFileForm, ForumPostForm
from accounts_app.selectors import accounts as selectors
from accounts_app.services import data as services_data
from accounts_app.services.data import ContactImportError
from accounts_app.views_owned import Owned, owned_delete_view, owned_edit_view
from ccucaas_privacy.errors import DomainError


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    services_data.usage_record(user=request.user, feature="contacts")
    return render(request, "accounts_app/contacts.html",
                  {"contacts": selectors.contacts_for_user(user=request.user)})


CONTACTS = Owned(
    get=selectors.contact_get_for_user, create=services_data.contact_create,
    update=services_data.contact_update, delete=services_data.contact_delete, arg="contact",
    form=ContactForm, list_url="accounts:contacts", saved=gettext_lazy("The contact was saved."),
    deleted=gettext_lazy("The contact was deleted."), title_new=gettext_lazy("Add a contact"),
    title_edit=gettext_lazy("Edit contact"))
contact_edit = owned_edit_view(CONTACTS)
contact_delete = owned_delete_view(CONTACTS)


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
@require_GET
def content_file_download(request: HttpRequest, public_id) -> HttpResponse:
    """The owner's file, streamed from its storage (another user's file is a 404). Always an
    attachment of no particular type: stored bytes are never rendered by the browser."""
    content = selectors.content_file_get_for_user(user=request.user, public_id=public_id)
    if not content.file:
        raise Http404
    return FileResponse(services_data.content_file_open(content=content), as_attachment=True,
                        filename=content.name, content_type="application/octet-stream")


content_file_delete = owned_delete_view(Owned(
    get=selectors.content_file_get_for_user, delete=services_data.content_file_delete,
    arg="content", list_url="accounts:files", deleted=gettext_lazy("The file was deleted.")))


@login_required
def forum_posts(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts_app/posts.html",
                  {"posts": selectors.forum_posts_for_user(user=request.user)})


FORUM_POSTS = Owned(
    get=selectors.forum_post_get_for_user, create=services_data.forum_post_create,
    update=services_data.forum_post_update, delete=services_data.forum_post_delete, arg="post",
    form=ForumPostForm, list_url="accounts:posts", saved=gettext_lazy("The post was saved."),
    deleted=gettext_lazy("The post was deleted."), title_new=gettext_lazy("Write a post"), title_edit=gettext_lazy("Edit post"))
forum_post_edit = owned_edit_view(FORUM_POSTS)
forum_post_delete = owned_delete_view(FORUM_POSTS)
