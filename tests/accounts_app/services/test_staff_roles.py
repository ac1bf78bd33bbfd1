"""Groups and permissions: declarative roles applied on every migrate; each group sees and
does only what its role allows (issue 9; RULES.md P18)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts_app.roles import PRIVACY_OFFICER, SUPPORT_AGENT, role_permission_ids, roles_apply
from requests_app.models import Channel, Status
from requests_app.services import filing as services

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]


def _member(make_user, name: str, group: str):
    user = make_user(name, email=f"{name}@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def officer_client(make_user, staff_sign_in):
    return staff_sign_in(Client(), _member(make_user, "po", PRIVACY_OFFICER))


@pytest.fixture
def agent_client(make_user, staff_sign_in):
    return staff_sign_in(Client(), _member(make_user, "agent", SUPPORT_AGENT))


def _codenames(group: str) -> set[str]:
    return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))


def test_groups_hold_exactly_their_declared_permissions_after_migrate():
    for name in (PRIVACY_OFFICER, SUPPORT_AGENT):
        group = Group.objects.get(name=name)
        assert set(group.permissions.values_list("pk", flat=True)) == role_permission_ids(name)


def test_roles_apply_is_idempotent_and_repairs_drift():
    group = Group.objects.get(name=SUPPORT_AGENT)
    group.permissions.add(Permission.objects.get(codename="add_legalhold"))
    roles_apply()
    roles_apply()
    assert "add_legalhold" not in _codenames(SUPPORT_AGENT)
    assert set(group.permissions.values_list("pk", flat=True)) == role_permission_ids(SUPPORT_AGENT)


def test_models_added_by_other_apps_are_covered_without_a_group_migration():
    officer = _codenames(PRIVACY_OFFICER)
    # Fulfilment's models arrived after the staff-groups migration of requests_app.
    assert {"add_legalhold", "change_legalhold", "view_processor", "change_processor",
            "view_propagation", "view_deadlinealert", "view_staffaccess",
            "view_compliance_report", "reject_datasubjectrequest"} <= officer


def test_a_support_agent_cannot_approve_deletions_hold_data_or_reject():
    agent = _codenames(SUPPORT_AGENT)
    assert {"view_datasubjectrequest", "add_datasubjectrequest", "verify_identity",
            "reply_datasubjectrequest"} <= agent
    assert not agent & {"change_datasubjectrequest", "reject_datasubjectrequest",
                        "add_legalhold", "change_legalhold", "view_legalhold",
                        "view_staffaccess", "view_compliance_report", "view_contact",
                        "view_processor", "change_policyversion"}


OFFICER_PAGES = ["/admin/requests_app/datasubjectrequest/", "/admin/accounts_app/staffaccess/",
                 "/admin/requests_app/legalhold/", "/admin/requests_app/processor/",
                 "/admin/requests_app/deadlinealert/", "/admin/consent_app/policyversion/",
                 "/admin/requests_app/datasubjectrequest/compliance/",
                 "/admin/notifications_app/outboundemail/"]


def test_a_privacy_officer_sees_requests_holds_processors_policies_reports_and_the_log(
        officer_client):
    for url in OFFICER_PAGES:
        assert officer_client.get(url).status_code == 200, url


def test_a_support_agent_sees_requests_but_not_holds_processors_reports_or_the_log(agent_client):
    assert agent_client.get("/admin/requests_app/datasubjectrequest/").status_code == 200
    assert agent_client.get("/admin/requests_app/datasubjectrequest/helpdesk/").status_code == 200
    for url in OFFICER_PAGES[1:]:
        assert agent_client.get(url).status_code == 403, url
    index = agent_client.get("/admin/").content.decode()
    assert "datasubjectrequest" in index and "legalhold" not in index and "staffaccess" not in index


def test_a_support_agent_cannot_reject_or_approve_a_deletion_even_by_posting(agent_client, alice):
    req, _ = services.request_file(type="deletion", channel=Channel.PORTAL, details={},
                                   subject=alice)
    base = f"/admin/requests_app/datasubjectrequest/{req.pk}/act"
    assert agent_client.post(f"{base}/reject/", {"reason": "x"}).status_code == 403
    assert agent_client.post(f"{base}/deletion_approve/").status_code == 403
    assert agent_client.post(f"{base}/legal_hold_place/", {"note": "x"}).status_code == 403
    req.refresh_from_db()
    assert req.status == Status.RECEIVED and not req.events.filter(action="deletion_approve").exists()


def test_a_user_outside_the_staff_groups_sees_no_admin_page(make_user, staff_sign_in):
    lone = make_user("lone", email="lone@ccucaas.example", is_staff=True)
    client = staff_sign_in(Client(), lone)
    for url in OFFICER_PAGES:
        assert client.get(url).status_code == 403, url
