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
        sql, sql_params = _insert_sql(obj, fields, returning_fields, using)
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


# (model, fields, returning fields, database) -> the INSERT Django compiles for them when every
# value is a plain parameter
_PLAIN_INSERTS: dict[tuple, str] = {}


def _insert_sql(obj: models.Model, fields: list, returning_fields: list,
                using: str) -> tuple[str, Sequence]:
    """The INSERT (SQL, params) of `obj`, as Django's insert compiler makes it.

    Compiling costs about as much CPU as converting the values (0.1 ms for a request row), and
    for a given model and field list the SQL is always the same when every value is a plain
    parameter (no expression, no field with its own placeholder). So that SQL is kept after the first compile, and later rows only
    convert their values: `field.pre_save()` then `field.get_db_prep_save()`, exactly what the
    compiler does for a plain value (`tests/ccucaas_privacy/test_insert_together.py` holds the
    two equal). Anything else is compiled by Django each time.
    """
    connection = connections[using]
    key = (type(obj), tuple(fields), tuple(returning_fields), using)
    sql = _PLAIN_INSERTS.get(key)
    if sql is not None:
        values = [field.pre_save(obj, True) for field in fields]
        if not any(hasattr(value, "resolve_expression") for value in values):
            params = [field.get_db_prep_save(value, connection)
                      for field, value in zip(fields, values, strict=True)]
            if not any(hasattr(param, "as_sql") for param in params):
                return sql, params
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returning_fields
    [(sql, params)] = compiler.as_sql()
    if sql == _plain_insert_sql(connection, type(obj), fields, returning_fields) and len(
            params) == len(fields) and not any(hasattr(f, "get_placeholder") for f in fields):
        _PLAIN_INSERTS[key] = sql
    return sql, params


def _plain_insert_sql(connection, model, fields: list, returning_fields: list) -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    returning, _params = connection.ops.return_insert_columns(returning_fields)
    return " ".join(filter(None, [f"INSERT INTO {qn(model._meta.db_table)} ({columns})",
                                  f"VALUES ({placeholders})", returning]))
