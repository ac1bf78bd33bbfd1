"""On PostgreSQL the timeline refuses UPDATE and DELETE in the database too (evidence, P18/P23).

The only update allowed is the one `on_delete=SET_NULL` makes when an actor account is removed
(`ccucaas_privacy.migrations_ops.AppendOnlyTrigger`).
"""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]
    operations = [AppendOnlyTrigger("requestevent")]
