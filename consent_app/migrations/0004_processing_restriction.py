# Issue 21 (helper "appi"): stop of use / stop of provision (APPI Art. 35) as restrictions.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import ccucaas_privacy.clock
from ccucaas_privacy.migrations_ops import AppendOnlyTrigger


class Migration(migrations.Migration):

    dependencies = [
        ("consent_app", "0003_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProcessingRestriction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("stop_use", "Stop of use (利用停止)"), ("stop_provision", "Stop of provision to third parties")], max_length=20, verbose_name="kind")),
                ("purpose", models.CharField(blank=True, max_length=150, verbose_name="purpose")),
                ("recipient", models.CharField(blank=True, max_length=200, verbose_name="recipient")),
                ("erase", models.BooleanField(default=False, verbose_name="erasure requested")),
                ("scope", models.CharField(choices=[("full", "In full"), ("partial", "As far as necessary (in part)")], default="full", max_length=10, verbose_name="scope")),
                ("scope_note", models.TextField(blank=True, verbose_name="extent of the restriction")),
                ("substitute_measure", models.TextField(blank=True, verbose_name="substitute measure")),
                ("substitute_reason", models.TextField(blank=True, verbose_name="reason for the substitute measure")),
                ("request_reference", models.CharField(max_length=20, verbose_name="request")),
                ("effective_from", models.DateTimeField(verbose_name="effective from")),
                ("created_at", models.DateTimeField(default=ccucaas_privacy.clock.now, verbose_name="recorded at")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="processing_restrictions", to=settings.AUTH_USER_MODEL, verbose_name="user")),
            ],
            options={
                "verbose_name": "processing restriction",
                "verbose_name_plural": "processing restrictions",
                "ordering": ["-effective_from", "-id"],
                "indexes": [models.Index(fields=["user", "kind"], name="restriction_user_kind")],
            },
        ),
        AppendOnlyTrigger("processingrestriction"),
    ]
