# Issue 21 (helper "appi"): stop of use / provision and purpose notice types (APPI Art. 35,
# 32(2)), refusal grounds and partial disclosure (Art. 33(2), 36), disclosure on paper (Art. 33(1)).
# Depends on both 0011 migrations (merges them).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import ccucaas_privacy.clock


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0011_appi2_representatives"),
        ("requests_app", "0011_staff_duplicate_types"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="datasubjectrequest",
            name="refusal_ground",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="ground of refusal"),
        ),
        migrations.AddField(
            model_name="datasubjectrequest",
            name="withheld",
            field=models.JSONField(blank=True, default=list, verbose_name="withheld from the disclosure"),
        ),
        migrations.AddField(
            model_name="datasubjectrequest",
            name="method_used",
            field=models.CharField(blank=True, choices=[("electronic", "Electronically (download of a ZIP package)"), ("paper", "On paper, by post (書面の交付)")], default="", max_length=12, verbose_name="disclosure method used"),
        ),
        migrations.AddField(
            model_name="datasubjectrequest",
            name="method_change_reason",
            field=models.TextField(blank=True, default="", verbose_name="why the chosen method could not be used"),
        ),
        migrations.AlterField(
            model_name="datasubjectrequest",
            name="type",
            field=models.CharField(choices=[("disclosure", "Disclosure"), ("correction", "Correction"), ("deletion", "Deletion"), ("inquiry", "Complaint, consultation or inquiry"), ("stop_use", "Stop of use or erasure"), ("stop_provision", "Stop of provision to third parties"), ("purpose_notice", "Notice of the purposes of use")], max_length=20, verbose_name="type"),
        ),
        migrations.CreateModel(
            name="PaperMailing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=ccucaas_privacy.clock.now, verbose_name="task created at")),
                ("mailed_on", models.DateField(blank=True, null=True, verbose_name="mailed on")),
                ("tracking_number", models.CharField(blank=True, max_length=100, verbose_name="tracking number")),
                ("recorded_at", models.DateTimeField(blank=True, null=True, verbose_name="mailing recorded at")),
                ("mailed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="mailed by")),
                ("request", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="paper_mailing", to="requests_app.datasubjectrequest", verbose_name="request")),
            ],
            options={
                "verbose_name": "paper disclosure to mail",
                "verbose_name_plural": "paper disclosures to mail",
                "ordering": ["recorded_at", "created_at"],
            },
        ),
    ]
