"""Database helpers that the ORM does not offer."""

from collections.abc import Sequence

from django.db import connections, models
from django.db.models.sql.subqueries import InsertQuery


def insert_together(objs: Sequence[models.Model], *, using: str = "default") -> None:
    """INSERT new instances of (possibly different) models in one round trip.

    On PostgreSQL the INSERTs, each compiled by Django exactly as `save(force_insert=True)`
    would compile it (defaults, `auto_now_add`, field conversion), travel as one statement of
    data-modifying CTEs; database-generated primary keys come back through RETURNING. They
    succeed or fail together: a constraint violation raises IntegrityError for the statement.
    Foreign keys between the instances are fine (PostgreSQL checks them at the end of the
    statement, Django's are deferred to the commit). Elsewhere (SQLite) each instance is saved
    in turn. No pre_save/post_save signals are sent, as with bulk_create.

    For a hot write path of a few rows (a new request, its first event, its receipt email):
    each round trip saved is a database statement and a context switch under load.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or len(objs) < 2:
        for obj in objs:
            obj.save(force_insert=True, using=using)
        return
    parts: list[str] = []
    params: list = []
    returning: list[tuple[int, models.Model, models.Field]] = []
    for index, obj in enumerate(objs):
        meta = obj._meta
        if not obj._is_pk_set(meta):
            obj.pk = meta.pk.get_pk_value_on_save(obj)
        fields = [f for f in meta.local_concrete_fields if not f.generated]
        returning_fields = []
        if not obj._is_pk_set(meta):  # a database-generated key (AutoField)
            fields = [f for f in fields if f is not meta.auto_field]
            returning_fields = [meta.auto_field]
            returning.append((index, obj, meta.auto_field))
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = returning_fields
        [(sql, sql_params)] = compiler.as_sql()
        parts.append(f"i{index} AS ({sql})")
        params.extend(sql_params)
    # Only Django-compiled INSERTs and quoted column names are joined; values stay parameters.
    columns = ", ".join(f"(SELECT {connection.ops.quote_name(field.column)} FROM i{index})"  # noqa: S608
                        for index, _obj, field in returning) or "1"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {columns}", params)
        row = cursor.fetchone()
    for (_index, obj, field), value in zip(returning, row, strict=True):
        setattr(obj, field.attname, value)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
