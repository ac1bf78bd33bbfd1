"""The table of Django's database cache (CACHES when CACHE_URL is unset, settings/base.py):
created by migrations, so every deployment and test database has it without another step."""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "ccucaas_cache"


def create_cache_table(apps, schema_editor) -> None:
    # createcachetable with an explicit table name: created whatever CACHES is in this process.
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias,
                 verbosity=0)


def drop_cache_table(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [("ccucaas_privacy", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
