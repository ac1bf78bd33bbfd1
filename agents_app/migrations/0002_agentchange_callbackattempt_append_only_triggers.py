"""Issue 18: the agent registry's change log and the callback attempts are evidence; on
PostgreSQL they now refuse UPDATE and DELETE in the database too
(`ccucaas_privacy.migrations_ops.AppendOnlyTrigger`)."""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("agents_app", "0001_initial")]
    operations = [AppendOnlyTrigger("agentchange"), AppendOnlyTrigger("callbackattempt")]
