"""On PostgreSQL the staff access log refuses UPDATE and DELETE in the database too (P18).

The only update allowed is the one `on_delete=SET_NULL` makes when an account is erased.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_app_staffaccess_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'staff_id' - 'subject_id') = (to_jsonb(OLD) - 'staff_id' - 'subject_id')
       AND (NEW.staff_id IS NULL OR NEW.staff_id = OLD.staff_id)
       AND (NEW.subject_id IS NULL OR NEW.subject_id = OLD.subject_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'accounts_app_staffaccess is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_app_staffaccess_append_only
    BEFORE UPDATE OR DELETE ON accounts_app_staffaccess
    FOR EACH ROW EXECUTE FUNCTION accounts_app_staffaccess_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_app_staffaccess_append_only ON accounts_app_staffaccess;
DROP FUNCTION IF EXISTS accounts_app_staffaccess_append_only();
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
    dependencies = [("accounts_app", "0004_staff_access")]
    operations = [migrations.RunPython(forwards, backwards)]
