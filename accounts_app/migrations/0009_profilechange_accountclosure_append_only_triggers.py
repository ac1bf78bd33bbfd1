"""Issue 18: the profile change history and the account closures are evidence (P21) like the
staff access log; on PostgreSQL they now refuse UPDATE and DELETE in the database too. Erasure
deletes them through `ccucaas_privacy.evidence.evidence_erase` only."""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("accounts_app", "0008_staffaccess_what_processor_change")]
    operations = [AppendOnlyTrigger("profilechange"), AppendOnlyTrigger("accountclosure")]
