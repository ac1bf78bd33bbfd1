"""Evidence tables: the one append-only mechanism and the one way to erase from them.

Evidence (the request and incident timelines, the consent ledger, the staff access log, deadline
alerts, campaign and agent-registry events, ...) is written once and then only read:

- `AppendOnlyModel` (abstract): `save()` only inserts (`force_insert`), `delete()` is refused.
- `AppendOnlyQuerySet` (its manager): `update()`, `delete()` and `bulk_update()` are refused.
- On PostgreSQL the table refuses UPDATE and DELETE in the database too: the trigger installed
  by `ccucaas_privacy.migrations_ops.AppendOnlyTrigger` in the owning app's migrations.

Everything refused raises `AppendOnlyError`. The one sanctioned exception is erasure of a
person's rows where the law asks for it (P21): `evidence_erase(queryset, reason=...)` lifts the
ORM guard for that call only and the trigger for that transaction only, deletes through the
ORM's public `QuerySet.delete()`, and logs what it erased.
"""

import logging
from contextvars import ContextVar

from django.db import models, transaction

logger = logging.getLogger(__name__)

# The PostgreSQL setting the triggers read; set with `set_config(..., is_local => true)`, the
# function form of `SET LOCAL`: it lasts until the end of the transaction at most.
ERASURE_SETTING = "ccucaas.evidence_erasure"

# The models whose rows `evidence_erase` is deleting right now (this thread / task only).
_erasing: ContextVar[frozenset] = ContextVar("ccucaas_evidence_erasing", default=frozenset())


class AppendOnlyError(Exception):
    """An evidence row was about to be changed or deleted."""


def _refuse(model) -> AppendOnlyError:
    name = model.__name__ if isinstance(model, type) else type(model).__name__
    return AppendOnlyError(f"{name} rows are append-only evidence.")


class AppendOnlyQuerySet(models.QuerySet):
    """No update, delete or bulk update through the ORM (inserts and reads only)."""

    def update(self, **kwargs):
        raise _refuse(self.model)

    def bulk_update(self, objs, fields, batch_size=None):
        raise _refuse(self.model)

    def delete(self):
        if self.model not in _erasing.get():
            raise _refuse(self.model)
        return super().delete()


class AppendOnlyModel(models.Model):
    """An evidence row: inserted once, never changed or deleted (see the module docstring)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _refuse(self)
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(self)


def evidence_erase(queryset: AppendOnlyQuerySet, *, reason: str) -> int:
    """Erase evidence rows (a person's, where the law requires it): the only delete of evidence.

    Deletes `queryset` with the ORM's `delete()`, the ORM guard lifted for this model during
    this call only and, on PostgreSQL, the append-only triggers lifted inside this call's
    transaction (savepoint) only. Logs the model, the count and the reason. Returns the number
    of rows deleted (cascades included).
    """
    if not isinstance(queryset, AppendOnlyQuerySet):
        raise TypeError("evidence_erase takes a queryset of an append-only evidence model.")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("evidence_erase needs the reason for the erasure.")
    model = queryset.model
    connection = transaction.get_connection(queryset.db)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=queryset.db):
        if postgresql:
            _trigger_guard_lift(connection, lifted=True)
        token = _erasing.set(_erasing.get() | {model})
        try:
            deleted, by_model = queryset.delete()
        finally:
            _erasing.reset(token)
        if postgresql:
            _trigger_guard_lift(connection, lifted=False)
    logger.info("evidence erased: %s rows of %s (%s)", deleted, model._meta.label, reason,
                extra={"evidence_model": model._meta.label, "evidence_erased": deleted,
                       "evidence_by_model": by_model, "evidence_reason": reason})
    return deleted


def _trigger_guard_lift(connection, *, lifted: bool) -> None:
    # On an error the transaction (savepoint) rolls back, and the setting with it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [ERASURE_SETTING, "on" if lifted else ""])
