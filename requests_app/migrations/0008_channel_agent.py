"""Requests filed by authorized agents over the Data Rights Protocol (issue 23)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0007_lean_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="datasubjectrequest",
            name="channel",
            field=models.CharField(
                choices=[("portal", "Portal"), ("helpdesk", "Help desk"), ("web_form", "Web form"),
                         ("agent", "Authorized agent (Data Rights Protocol)")],
                max_length=20, verbose_name="channel"),
        ),
    ]
