"""The timeline is evidence: RequestEvent rows are append-only (P18, P23)."""

import pytest
from django.db import DatabaseError, connection, transaction

from ccucaas_privacy.staff import privacy_officers
from requests_app.models import RequestEvent
from tests.conftest import assert_append_only
from tests.requests_app.conftest import file_portal

pytestmark = pytest.mark.django_db


def test_request_events_cannot_be_changed_or_deleted_through_the_orm(alice):
    req = file_portal(alice)
    event = req.events.get()
    event.note = "rewritten"
    assert_append_only(event, update=(RequestEvent.objects.filter(pk=event.pk), {"note": "x"}),
                       delete=RequestEvent.objects.filter(pk=event.pk))
    assert RequestEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_trigger_refuses_update_and_delete_of_events(alice):
    req = file_portal(alice)
    event = req.events.get()
    for sql in ("UPDATE requests_app_requestevent SET note = 'x' WHERE id = %s",
                "DELETE FROM requests_app_requestevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert RequestEvent.objects.get(pk=event.pk).note == ""


def test_staff_groups_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    officer = set(Group.objects.get(name="Privacy officer").permissions
                  .values_list("codename", flat=True))
    agent = set(Group.objects.get(name="Support agent").permissions
                .values_list("codename", flat=True))
    assert {"view_datasubjectrequest", "change_datasubjectrequest", "verify_identity"} <= officer
    assert {"view_datasubjectrequest", "verify_identity"} <= agent
    assert "change_datasubjectrequest" not in agent


def test_privacy_officers_are_the_group_members_and_superusers(make_user, privacy_officer,
                                                               support_agent, officer):
    inactive = make_user("gone", is_superuser=True)
    inactive.is_active = False
    inactive.save()
    assert list(privacy_officers()) == sorted([privacy_officer, officer], key=lambda u: u.pk)
