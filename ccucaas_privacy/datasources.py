"""The data-source registry and contract (DESIGN section 6): one class per category of personal data.

Every app that holds personal data registers its sources from its `AppConfig.ready()`:

    from ccucaas_privacy.datasources import register
    register(MySource)

and requests_app's fulfilment (export, correction, erasure) walks `all_sources()`. The registry
lives in the core so that each app registers its own sources without importing requests_app.

A source declares its `category` (a stable code), the RULES.md `rule` it serves, a translatable
`title` and `description`, the `models` whose rows it answers for (a test checks that every
model holding a user foreign key belongs to some source), and implements `export(user)` (an
iterator of JSON-serialisable dict rows, streamed), `correct(user, changes)` where it holds a
copy of correctable fields, and `erase(user) -> ErasureResult`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps
from django.utils.translation import gettext_lazy

EXPORT_CHUNK = 2000


@dataclass
class ErasureResult:
    """What an erasure did: rows deleted, rows anonymised, rows kept (and why)."""

    erased: int = 0
    anonymised: int = 0
    retained: int = 0
    retained_reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"erased": self.erased, "anonymised": self.anonymised, "retained": self.retained,
                "retained_reason": self.retained_reason, **self.details}


class SourceBusy(Exception):
    """The source cannot finish yet (e.g. emails still queued); try again later."""


@dataclass(frozen=True)
class Retention:
    """How long a category is kept once it is no longer needed (APPI Art. 22; issue 21).

    `setting` names the key of `settings.RETENTION` holding the period in days (so every period
    can be overridden by env), or a setting of its own (VISITOR_LOG_RETENTION_DAYS); "" means no fixed period (kept while the account is open, or as
    evidence). `text` is the translatable sentence shown on the public retention page and in
    the disclosure package; "%(period)s" in it becomes the period in the reader's language.
    `action` is what the retention sweep (ccucaas_privacy/retention.py) does to rows past it.
    """

    text: Any
    setting: str = ""
    action: str = "erase"  # "erase" | "anonymise"

    def days(self) -> int | None:
        from django.conf import settings

        if not self.setting:
            return None
        if self.setting in settings.RETENTION:
            return settings.RETENTION[self.setting]
        return getattr(settings, self.setting)  # a period with its own setting (P10's)


# The two retentions without a fixed period (APPI Art. 22): what the account needs, and evidence.
KEPT_WHILE_ACCOUNT_OPEN = Retention(
    text=gettext_lazy("Kept while your account is open; erased when you close the account or "
                      "ask for deletion."))
KEPT_AS_EVIDENCE = Retention(
    text=gettext_lazy("Kept as evidence (it cannot be changed); on a deletion request it is "
                      "kept with the reason named in the reply."))


class DataSource:
    category: ClassVar[str] = ""
    rule: ClassVar[str] = ""
    title: ClassVar[Any] = ""
    description: ClassVar[Any] = ""
    models: ClassVar[tuple[str, ...]] = ()  # "app_label.ModelName"
    columns: ClassVar[tuple[str, ...]] = ()  # CSV header (export rows have these keys)
    correctable: ClassVar[tuple[str, ...]] = ()  # fields of a correction this source applies
    # Evidence kept on erasure (e.g. the consent ledger): erase() reports it as retained.
    retained_on_erasure: ClassVar[bool] = False
    # APPI Art. 22: how long the category is kept (every registered source declares it).
    retention: ClassVar[Retention | None] = None

    def export(self, user) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def bulk_queryset(self, user):
        """Sources with many rows per user (visitor logs, contacts, usage) return the queryset
        whose `columns` `export()` yields, so the package builder can stream it straight out of
        PostgreSQL with COPY. None: use `export()`."""
        return None

    def correct(self, user, changes: dict[str, str]) -> int:
        """Apply the accepted changes this source holds a copy of; returns rows changed."""
        return 0

    def erase(self, user) -> ErasureResult:
        raise NotImplementedError

    def retention_querysets(self, *, cutoff) -> list:
        """The rows (one queryset per model) that have outlived `retention` at `cutoff` (now
        minus the period) and still need its `action`; the retention sweep takes them in
        batches. Sources with a period override it; [] = nothing to sweep."""
        return []

    def retention_apply(self, *, rows) -> ErasureResult:
        """Erase (or anonymise) one batch `rows` of a queryset of `retention_querysets()`."""
        deleted, _by_model = rows.delete()
        return ErasureResult(erased=deleted)


class UserRowsSource(DataSource):
    """A category held in one model with a foreign key `user_field` to the user (the first of
    `models`): export its `columns` in `ordering`, erase by deleting the rows. `bulk` sources
    also hand their queryset to the package builder, which copies it straight out of
    PostgreSQL. A source whose rows are found otherwise overrides `user_rows`."""

    ordering: ClassVar[tuple[str, ...]] = ("id",)
    bulk: ClassVar[bool] = False
    user_field: ClassVar[str] = "user"

    def user_rows(self, user):
        model = apps.get_model(self.models[0])
        return model.objects.filter(**{self.user_field: user}).order_by(*self.ordering)

    def bulk_queryset(self, user):
        return self.user_rows(user) if self.bulk else None

    def export(self, user) -> Iterator[dict[str, Any]]:
        yield from stream(self.user_rows(user), self.columns)

    def erase(self, user) -> ErasureResult:
        deleted, _by_model = self.user_rows(user).delete()
        return ErasureResult(erased=deleted)


class EvidenceRowsSource(UserRowsSource):
    """A category kept as evidence (append-only): erasure deletes nothing and reports the user's
    rows as retained, with `retained_reason`."""

    retained_on_erasure: ClassVar[bool] = True
    retained_reason: ClassVar[str] = ""
    retention: ClassVar[Retention | None] = KEPT_AS_EVIDENCE

    def erase(self, user) -> ErasureResult:
        return ErasureResult(retained=self.user_rows(user).count(),
                             retained_reason=self.retained_reason)


def iso(value) -> str | None:
    return value.isoformat() if value else None


def stream(queryset, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Rows of `queryset` as dicts of `fields`, fetched in chunks (server-side cursor on
    PostgreSQL), so memory stays flat however many rows there are."""
    for row in queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK):
        yield {name: (iso(value) if hasattr(value, "isoformat") else value)
               for name, value in zip(fields, row, strict=True)}


# --- the registry ------------------------------------------------------------------------------

_REGISTRY: dict[str, type[DataSource]] = {}


def register(source_cls: type[DataSource]) -> type[DataSource]:
    if not source_cls.category or not source_cls.rule:
        raise ValueError(f"{source_cls.__name__} must declare a category and a rule")
    existing = _REGISTRY.get(source_cls.category)
    if existing is not None and existing is not source_cls:
        raise ValueError(f"category {source_cls.category!r} is already registered")
    _REGISTRY[source_cls.category] = source_cls
    return source_cls


def all_sources() -> list[DataSource]:
    return [cls() for cls in _REGISTRY.values()]


def source_get(category: str) -> DataSource:
    return _REGISTRY[category]()


def categories() -> list[str]:
    return list(_REGISTRY)


def retention_period_label(days: int) -> str:
    """A period in the active language: whole years as years (3年 / 3 years), else days."""
    from django.utils.translation import ngettext

    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def retention_label(source: DataSource) -> str:
    """The source's retention sentence in the active language, with its period filled in."""
    retention = source.retention
    if retention is None:
        return ""
    days = retention.days()
    text = str(retention.text)
    return text % {"period": retention_period_label(days)} if days is not None else text


def retention_rows() -> list[dict[str, Any]]:
    """Every category's retention, for the public page and the disclosure package (labels in
    the active language, never codes), in title order."""
    rows = [{"category": source.category, "title": str(source.title),
             "retention": retention_label(source), "days": source.retention.days()
             if source.retention else None}
            for source in all_sources()]
    return sorted(rows, key=lambda row: row["title"])
