"""The sequence that numbers request references on PostgreSQL (requests_app.services.
_next_reference), created here once instead of by a web request. It starts after every number
already used, and the per-year sequences the filing used to create at run time are dropped.
SQLite keeps numbering with ReferenceCounter rows."""

from django.db import migrations

SEQUENCE = "requests_app_reference"
OLD_SEQUENCES = r"^requests_app_reference_[0-9]{4}$"


def create_sequence(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(CAST(SUBSTRING(reference FROM 10) AS bigint)), 0) "
                       "FROM requests_app_datasubjectrequest WHERE reference ~ %s",
                       [r"^DSR-[0-9]{4}-[0-9]{1,12}$"])
        start = cursor.fetchone()[0] + 1
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {int(start)}")
        cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
                       "AND n.nspname = current_schema() AND c.relname ~ %s", [OLD_SEQUENCES])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(name)}")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0009_processor_opendsr_conformance"),
    ]

    operations = [
        migrations.RunPython(create_sequence, drop_sequence, elidable=False),
    ]
