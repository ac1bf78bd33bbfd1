"""On PostgreSQL the timeline refuses UPDATE and DELETE in the database too (evidence, P18/P23).

The only update allowed is the one `on_delete=SET_NULL` makes when an actor account is removed.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION requests_app_requestevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'requests_app_requestevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER requests_app_requestevent_append_only
    BEFORE UPDATE OR DELETE ON requests_app_requestevent
    FOR EACH ROW EXECUTE FUNCTION requests_app_requestevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS requests_app_requestevent_append_only ON requests_app_requestevent;
DROP FUNCTION IF EXISTS requests_app_requestevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
