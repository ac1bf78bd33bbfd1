"""PostgreSQL refuses UPDATE and DELETE on the evidence tables (the model layer refuses too)."""

from django.db import migrations

TABLES = ["consent_app_consentevent", "consent_app_policyacceptance",
          "consent_app_provisionrecord"]

FUNCTION = """
CREATE OR REPLACE FUNCTION consent_app_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent_app: % on % is refused: the table is append-only evidence',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION consent_app_refuse_change();"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS consent_app_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("consent_app", "0002_seed_purposes_and_policy_v1")]
    operations = [migrations.RunPython(create, drop)]
