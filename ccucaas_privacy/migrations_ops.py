"""Migration operations of the project: `AppendOnlyTrigger`, the database half of the evidence
guard (`ccucaas_privacy.evidence`).

    operations = [..., AppendOnlyTrigger("requestevent")]

On PostgreSQL it installs a `BEFORE UPDATE OR DELETE` row trigger on the model's table that
refuses both, with two exceptions:

- the one UPDATE Django's `on_delete=SET_NULL` makes when a referenced row (an actor's or a
  subject's account) is removed: only the model's `SET_NULL` foreign-key columns change, to
  NULL, and nothing else;
- DELETE inside `ccucaas_privacy.evidence.evidence_erase`, which sets
  `ccucaas.evidence_erasure = 'on'` for its own transaction only.

Trigger and function are both named `<table>_append_only`. On other databases (SQLite in
quick local runs) the operation does nothing: the ORM guard still applies there.
"""

from django.db import models
from django.db.migrations.operations.base import Operation

from ccucaas_privacy.evidence import ERASURE_SETTING

FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{setting}', true) = 'on' THEN
        RETURN OLD;
    END IF;{set_null}
    RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""

SET_NULL = """
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW){minus}) = (to_jsonb(OLD){minus})
       AND {each} THEN
        RETURN NEW;
    END IF;"""

DROP = """
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""


def set_null_columns(model) -> list[str]:
    """The columns Django sets to NULL when the row they point at is deleted."""
    return sorted(field.column for field in model._meta.concrete_fields
                  if field.is_relation and field.remote_field.on_delete is models.SET_NULL)


def append_only_sql(table: str, set_null: list[str]) -> str:
    clause = ""
    if set_null:
        minus = "".join(f" - '{column}'" for column in set_null)
        each = "\n       AND ".join(f"(NEW.{c} IS NULL OR NEW.{c} = OLD.{c})" for c in set_null)
        clause = SET_NULL.format(minus=minus, each=each)
    return FUNCTION.format(name=f"{table}_append_only", table=table, set_null=clause,
                           setting=ERASURE_SETTING)


class AppendOnlyTrigger(Operation):
    """Install (backwards: drop) the PostgreSQL append-only trigger on `model_name`'s table."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label, state):
        pass  # the trigger is not part of the model state

    def _model(self, app_label, state, schema_editor):
        model = state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor != "postgresql":
            return None
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return None
        return model

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if (model := self._model(app_label, to_state, schema_editor)) is not None:
            schema_editor.execute(append_only_sql(model._meta.db_table, set_null_columns(model)),
                                  params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if (model := self._model(app_label, from_state, schema_editor)) is not None:
            table = model._meta.db_table
            schema_editor.execute(DROP.format(name=f"{table}_append_only", table=table),
                                  params=None)

    def describe(self):
        return f"Install the PostgreSQL append-only trigger on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_append_only_trigger"
