"""Groups "Privacy officer" and "Support agent" with their model permissions (DESIGN section 9).

Privacy officers decide on requests (assign, verify, reply, reject) and read the evidence;
support agents record help-desk requests and read them, but do not reply or reject.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PRIVACY_OFFICER = "Privacy officer"
SUPPORT_AGENT = "Support agent"

GROUP_PERMISSIONS = {
    PRIVACY_OFFICER: [
        "view_datasubjectrequest", "add_datasubjectrequest", "change_datasubjectrequest",
        "view_requestevent", "view_verificationchallenge", "verify_identity",
    ],
    SUPPORT_AGENT: [
        "view_datasubjectrequest", "add_datasubjectrequest", "view_requestevent",
        "verify_identity",
    ],
}


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    app_config = apps.get_app_config("requests_app")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="requests_app",
                                          codename__in=codenames)
        group.permissions.add(*perms)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0002_requestevent_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
