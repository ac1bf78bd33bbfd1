"""The one read-only admin base of the project (issue 18).

Evidence rows and personal data are changed by their owner or through services, never edited
in the admin: `ReadOnlyAdmin` and `ReadOnlyInline` show them and refuse add, change and delete
(so Django offers no `delete_selected` action either). Admin pages that show a user's personal
data combine it with `accounts_app.admin_access.PersonalDataAccessMixin` (P18 reason gate).
"""

from django.contrib import admin
from django.db import models
from django.urls import URLPattern, path


class ReadOnlyPermissions:
    """Nobody adds, changes or deletes through this admin page, superusers included."""

    # Forms the admin still builds (e.g. for a filter) treat a URL without a scheme as HTTPS.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    """A read-only model admin."""


class ReadOnlyInline(ReadOnlyPermissions, admin.TabularInline):
    """A read-only tabular inline (a timeline or a log under its parent)."""

    extra = 0
    can_delete = False


def admin_view_urls(model_admin: admin.ModelAdmin, routes: list[tuple]) -> list[URLPattern]:
    """A model admin's own pages, to put before `super().get_urls()`: each (route, view, suffix)
    is wrapped by the admin site's `admin_view` (staff sign-in, no caching) and named
    `<app_label>_<model_name>_<suffix>`."""
    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    wrap = model_admin.admin_site.admin_view
    return [path(route, wrap(view), name=f"{prefix}_{suffix}") for route, view, suffix in routes]
