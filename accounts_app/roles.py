"""Staff roles: which model permissions each group holds (issue 9; RULES.md P18).

Declarative and complete: `ROLES` is the whole truth. `roles_apply()` runs on every
`post_migrate`, so the groups always hold exactly these permissions, including those of models
other apps add later, without a data migration per model. Superusers aside, nobody sees in the
admin what their group does not allow.

A rule is `(app_label, model, actions)`; `model` "*" means every model of the app, `actions`
"*" every permission of the model (add, change, delete, view and custom ones); an action that
does not exist (yet) is simply not granted.
"""

from django.db import transaction

from ccucaas_privacy.staff import PRIVACY_OFFICER, SUPPORT_AGENT

ALL = "*"
VIEW = ("view",)

ROLES: dict[str, list[tuple[str, str, tuple[str, ...] | str]]] = {
    # Everything on requests (and fulfilment: holds, processors, propagations, packages),
    # policy versions and consent evidence, reports, the staff access log; reads personal data.
    PRIVACY_OFFICER: [
        ("requests_app", ALL, ALL),
        ("consent_app", ALL, ALL),
        ("notifications_app", ALL, ALL),
        ("agents_app", ALL, ALL),  # issue 23: the DRP agent registry is officers' alone
        ("incidents_app", ALL, ALL),  # issue 22: the incident register is officers' alone
        ("automation_app", ALL, ALL),  # issue 25: automation rules, switch, review queue
        ("accounts_app", "staffaccess", VIEW),
        ("accounts_app", "user", VIEW),
        ("accounts_app", "contact", VIEW),
        ("accounts_app", "contentfile", VIEW),
        ("accounts_app", "usagerecord", VIEW),
        ("accounts_app", "usagedaily", VIEW),
        ("accounts_app", "visitorlog", VIEW),
        ("accounts_app", "paymentreference", VIEW),
        ("accounts_app", "forumpost", VIEW),
        ("accounts_app", "profilechange", VIEW),
        ("accounts_app", "accountclosure", VIEW),
        ("accounts_app", "persistentlogin", VIEW),
        ("ccucaas_privacy", "retentionrun", VIEW),  # issue 21: the retention sweep's runs
    ],
    # Record help-desk requests, verify identity, draft and send replies, read requests.
    # No assigning others, rejection, deletion approval, legal holds, processors or evidence
    # tables (the staff API's assign/reply/reject stay officer-only: `change` permission).
    SUPPORT_AGENT: [
        ("requests_app", "datasubjectrequest", ("view", "add", "verify_identity",
                                                "reply_datasubjectrequest",
                                                "assign_self_datasubjectrequest")),
        ("requests_app", "requestevent", VIEW),
        ("requests_app", "propagation", VIEW),
    ],
}

# Finer rights than Django's model permissions, checked by the admin (requests_app/admin.py).
# Officers hold them through the "requests_app: *" rule; agents only where listed above.
REJECT_PERMISSION = "requests_app.reject_datasubjectrequest"
REPLY_PERMISSION = "requests_app.reply_datasubjectrequest"
EXTRA_PERMISSIONS = {
    ("requests_app", "datasubjectrequest"): [
        ("reply_datasubjectrequest", "Can reply to a data-subject request"),
        ("assign_self_datasubjectrequest", "Can take a data-subject request (assign to me)"),
        ("reject_datasubjectrequest", "Can reject a data-subject request"),
        ("view_compliance_report", "Can view the compliance report"),
    ],
}
ASSIGN_SELF_PERMISSION = "requests_app.assign_self_datasubjectrequest"
REPORT_PERMISSION = "requests_app.view_compliance_report"


def _codenames(perms, model: str, actions) -> set[int]:
    chosen = set()
    for perm in perms:
        if model != ALL and perm.content_type.model != model:
            continue
        if actions == ALL:
            chosen.add(perm.pk)
            continue
        for action in actions:
            if perm.codename in (action, f"{action}_{perm.content_type.model}"):
                chosen.add(perm.pk)
    return chosen


def _extra_permissions_ensure() -> None:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    for (app_label, model), entries in EXTRA_PERMISSIONS.items():
        try:
            ct = ContentType.objects.get(app_label=app_label, model=model)
        except ContentType.DoesNotExist:
            continue
        for codename, name in entries:
            Permission.objects.get_or_create(content_type=ct, codename=codename,
                                             defaults={"name": name})


def role_permission_ids(name: str) -> set[int]:
    from django.contrib.auth.models import Permission

    wanted: set[int] = set()
    for app_label, model, actions in ROLES[name]:
        perms = Permission.objects.filter(content_type__app_label=app_label).select_related(
            "content_type")
        wanted |= _codenames(perms, model, actions)
    return wanted


def roles_apply(**_) -> None:
    """Make each group hold exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group

    with transaction.atomic():
        _extra_permissions_ensure()
        for name in ROLES:
            group, _created = Group.objects.get_or_create(name=name)
            group.permissions.set(role_permission_ids(name))
