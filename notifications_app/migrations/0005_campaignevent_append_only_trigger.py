"""Issue 18: campaign events are evidence (P25); on PostgreSQL they now refuse UPDATE and
DELETE in the database too (`ccucaas_privacy.migrations_ops.AppendOnlyTrigger`)."""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("notifications_app", "0004_campaign_kind_incident_notice")]
    operations = [AppendOnlyTrigger("campaignevent")]
