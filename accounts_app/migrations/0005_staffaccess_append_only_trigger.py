"""On PostgreSQL the staff access log refuses UPDATE and DELETE in the database too (P18).

The only update allowed is the one `on_delete=SET_NULL` makes when an account is erased
(`ccucaas_privacy.migrations_ops.AppendOnlyTrigger`).
"""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("accounts_app", "0004_staff_access")]
    operations = [AppendOnlyTrigger("staffaccess")]
