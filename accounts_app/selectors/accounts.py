"""Reads of the accounts app. Every lookup of a user's object is scoped to that user (404)."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts_app.models import (
    Contact,
    ContentFile,
    ForumPost,
    Language,
    PaymentReference,
    PersistentLogin,
    ProfileChange,
    User,
)
from ccucaas_privacy import clock


def contacts_for_user(*, user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(user=user)


def contact_get_for_user(*, user: User, public_id) -> Contact:
    return get_object_or_404(Contact, user=user, public_id=public_id)


def content_files_for_user(*, user: User) -> QuerySet[ContentFile]:
    return ContentFile.objects.filter(user=user)


def content_file_get_for_user(*, user: User, public_id) -> ContentFile:
    return get_object_or_404(ContentFile, user=user, public_id=public_id)


def storage_used_bytes(*, user: User) -> int:
    return content_files_for_user(user=user).aggregate(total=Sum("size_bytes"))["total"] or 0


def forum_posts_for_user(*, user: User) -> QuerySet[ForumPost]:
    return ForumPost.objects.filter(user=user)


def forum_post_get_for_user(*, user: User, public_id) -> ForumPost:
    return get_object_or_404(ForumPost, user=user, public_id=public_id)


def payment_references_for_user(*, user: User) -> QuerySet[PaymentReference]:
    return PaymentReference.objects.filter(user=user)


def persistent_logins_active_for_user(*, user: User) -> QuerySet[PersistentLogin]:
    """P11: the user's persistent logins still in force, most recently used first."""
    return PersistentLogin.objects.filter(user=user, revoked_at__isnull=True,
                                          expires_at__gt=clock.now())


def persistent_login_get_for_user(*, user: User, public_id) -> PersistentLogin:
    return get_object_or_404(PersistentLogin, user=user, public_id=public_id)


def profile_changes_for_user(*, user: User) -> QuerySet[ProfileChange]:
    return ProfileChange.objects.filter(user=user)


def profile_change_rows(*, user: User, limit: int = 20) -> list[dict]:
    """The user's recent profile changes as people read them (issue 19): the field's name
    ("First name", not first_name) and a language's name, not its code."""
    languages = dict(Language.choices)
    rows = []
    for change in profile_changes_for_user(user=user)[:limit]:
        try:
            label = User._meta.get_field(change.field).verbose_name
        except FieldDoesNotExist:
            label = _("Other field")
        old, new = change.old_value, change.new_value
        if change.field == "language":
            old, new = languages.get(old, old), languages.get(new, new)
        rows.append({"changed_at": change.changed_at, "label": str(label).capitalize(),
                     "old_value": old, "new_value": new})
    return rows
