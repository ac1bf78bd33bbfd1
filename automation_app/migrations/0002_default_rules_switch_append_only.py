"""Issue 25 defaults: portal disclosure and purposes notice automatic; portal deletion automatic
after the cooling-off period; portal corrections of self-service fields automatic; everything
else (no rule, or a rule "to a person") goes to a person. The one switch row (running, every
10th automatic request sampled). The change log refuses UPDATE and DELETE on PostgreSQL."""

from django.db import migrations

from ccucaas_privacy.migrations_ops import AppendOnlyTrigger

SELF_SERVICE_FIELDS = ["username", "first_name", "last_name", "language"]
DEFAULTS = [
    ("disclosure", "portal", "automatic"),
    ("purpose_notice", "portal", "automatic"),
    ("deletion", "portal", "cooling_off"),
    ("correction", "portal", "automatic"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("automation_app", "AutomationRule")
    Control = apps.get_model("automation_app", "AutomationControl")
    for request_type, channel, mode in DEFAULTS:
        Rule.objects.get_or_create(request_type=request_type, channel=channel, defaults={
            "mode": mode, "self_service_fields": SELF_SERVICE_FIELDS})
    Control.objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    dependencies = [("automation_app", "0001_automation_rules")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        AppendOnlyTrigger("automationchange"),
    ]
