"""PostgreSQL refuses UPDATE and DELETE on the evidence tables (the model layer refuses too;
`ccucaas_privacy.migrations_ops.AppendOnlyTrigger`)."""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("consent_app", "0002_seed_purposes_and_policy_v1")]
    operations = [AppendOnlyTrigger("consentevent"), AppendOnlyTrigger("policyacceptance"),
                  AppendOnlyTrigger("provisionrecord")]
