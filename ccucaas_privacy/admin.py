"""The one read-only admin base of the project (issue 18).

Evidence rows and personal data are changed by their owner or through services, never edited
in the admin: `ReadOnlyAdmin` and `ReadOnlyInline` show them and refuse add, change and delete
(so Django offers no `delete_selected` action either). Admin pages that show a user's personal
data combine it with `accounts_app.admin_access.PersonalDataAccessMixin` (P18 reason gate).
"""

from collections.abc import Callable

from django.contrib import admin
from django.db import models
from django.urls import URLPattern, path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.datasources import all_sources
from ccucaas_privacy.models import RetentionRun


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


# --- The retention sweep's runs (APPI Art. 22; ccucaas_privacy/retention.py) -------------------


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "total_rows", "batches", "max_batch_ms",
                    "has_failures"]
    readonly_fields = ["started_at", "finished_at", "counts_by_category", "batches",
                       "max_batch_ms", "failures"]
    exclude = ["counts"]
    date_hierarchy = "started_at"

    @admin.display(description=_("rows erased or anonymised"))
    def total_rows(self, obj: RetentionRun) -> int:
        return obj.total

    @admin.display(description=_("failures"), boolean=True)
    def has_failures(self, obj: RetentionRun) -> bool:
        return bool(obj.failures)

    @admin.display(description=_("rows per category"))
    def counts_by_category(self, obj: RetentionRun) -> str:
        titles = {s.category: str(s.title) for s in all_sources()}
        lines = [_("%(category)s: %(erased)d erased, %(anonymised)d anonymised") % {
            "category": titles.get(category, category), "erased": row.get("erased", 0),
            "anonymised": row.get("anonymised", 0)} for category, row in sorted(obj.counts.items())]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) or "-"


def labelled_filter(field: str, title, label: Callable[[str], str]) -> type[admin.SimpleListFilter]:
    """A list filter over the values a code column holds, each shown by `label(value)` (people
    read labels, never codes; issue 19 item 7)."""

    class LabelledFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            values = (model_admin.get_queryset(request).order_by().values_list(field, flat=True)
                      .distinct())
            return sorted(((v, label(v)) for v in values if v), key=lambda pair: str(pair[1]))

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    LabelledFilter.title = title
    LabelledFilter.__name__ = f"{field.title().replace('_', '')}LabelledFilter"
    return LabelledFilter
