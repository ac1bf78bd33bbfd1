"""Audit integrity (P18, DESIGN.md section 10): request events, consent events and policy
acceptances, the staff access log and deadline alerts cannot be changed or deleted through the
ORM, the admin or the API, and on PostgreSQL not by plain SQL from the app's role either
(triggers in the owning apps' migrations)."""

import os

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from accounts_app.models import StaffAccess, StaffAccessKind
from accounts_app.services.staff import staff_access_record
from consent_app.models import ConsentEvent, PolicyAcceptance
from consent_app.selectors import policy_version_current
from consent_app.services import consent_grant, policy_accept
from requests_app.models import DeadlineAlert, RequestEvent
from requests_app.services.filing import request_file
from tests.conftest import row_snapshot

pytestmark = [pytest.mark.rule("P18"), pytest.mark.django_db]

EVIDENCE = [RequestEvent, ConsentEvent, PolicyAcceptance, StaffAccess, DeadlineAlert]


@pytest.fixture
def evidence(alice, officer):
    """One real row of each evidence table, written the way the app writes it."""
    request, _sent = request_file(type="disclosure", channel="portal", details={}, subject=alice)
    rows = {
        RequestEvent: request.events.first(),
        ConsentEvent: consent_grant(user=alice, purpose="marketing_email", channel="portal"),
        PolicyAcceptance: policy_accept(user=alice, version=policy_version_current(),
                                        channel="portal"),
        StaffAccess: staff_access_record(staff=officer, what=StaffAccessKind.REQUEST_DETAIL,
                                         reason="Answering the disclosure", subject=alice),
        DeadlineAlert: DeadlineAlert.objects.create(request=request, kind="reply_reminder_7d",
                                                    outcome=DeadlineAlert.Outcome.SENT),
    }
    for model, row in rows.items():
        assert isinstance(row, model) and row.pk, model
    return rows


def _text_field(model) -> str:
    for name in ("note", "reason", "channel", "kind", "action"):
        if any(f.name == name for f in model._meta.concrete_fields):
            return name
    raise AssertionError(model)


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_p18_evidence_rows_refuse_update_and_delete_through_the_orm(evidence, model):
    row = evidence[model]
    before = row_snapshot(row)
    field = _text_field(model)

    setattr(row, field, "tampered")
    with pytest.raises((TypeError, Exception), match="append-only"):
        row.save()
    with pytest.raises(Exception, match="append-only"):
        row.delete()
    with pytest.raises(Exception, match="append-only"):
        model.objects.filter(pk=row.pk).update(**{field: "tampered"})
    with pytest.raises(Exception, match="append-only"):
        model.objects.filter(pk=row.pk).delete()
    assert row_snapshot(row) == before


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_p18_evidence_is_read_only_in_the_admin_even_for_a_superuser(
        evidence, model, officer, client, staff_sign_in, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = officer
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, evidence[model]) is False
    assert model_admin.has_delete_permission(request, evidence[model]) is False
    assert "delete_selected" not in (model_admin.get_actions(request) or {})

    staff_sign_in(client, officer)
    row = evidence[model]
    before = row_snapshot(row)
    count = model.objects.count()
    info = model._meta.app_label, model._meta.model_name
    field = _text_field(model)
    change = reverse("admin:{}_{}_change".format(*info), args=[row.pk])
    delete = reverse("admin:{}_{}_delete".format(*info), args=[row.pk])
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    # Some admins ask for a reason before showing personal data (P18): give it when asked.
    client.post(change, {field: "tampered"})
    assert client.post(delete, {"post": "yes"}).status_code in (302, 403)
    client.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk],
                             "post": "yes"})
    assert client.post(reverse("admin:{}_{}_add".format(*info)), {field: "x"}).status_code in (
        302, 403)
    assert row_snapshot(row) == before
    assert model.objects.count() == count


def test_p18_the_api_offers_no_way_to_change_or_delete_evidence(evidence, alice, officer):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    writable = [(path, method) for path, ops in schema["paths"].items() for method in ops
                if method in ("put", "patch", "delete")]
    # The profile, and the incident register's working record and draft report items
    # (APPI-26): neither is evidence. Each change of an incident is an append-only
    # IncidentEvent, and a submitted report is frozen (409).
    assert writable == [("/api/v1/accounts/me/", "patch"),
                        ("/api/v1/staff/incidents/{id}/", "patch"),
                        ("/api/v1/staff/incidents/{id}/reports/{stage}/", "patch")]
    api = APIClient()
    for user in (alice, officer):
        api.force_authenticate(user)
        receipt = f"/api/v1/consents/receipts/{evidence[ConsentEvent].receipt_id}/"
        for path in ("/api/v1/consents/events/", receipt, "/api/v1/policies/acceptances/",
                     f"/api/v1/requests/{evidence[RequestEvent].request_id}/"):
            for method in ("put", "patch", "delete"):
                assert getattr(api, method)(path, {"note": "x"}, format="json").status_code in (
                    403, 404, 405), (user, method, path)
    for model, row in evidence.items():
        assert model.objects.filter(pk=row.pk).exists()


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL", pytrace=False)
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_p18_postgresql_refuses_plain_sql_update_and_delete_from_the_app_role(evidence, model):
    _require_postgresql()
    row = evidence[model]
    before = row_snapshot(row)
    table = model._meta.db_table
    column = model._meta.get_field(_text_field(model)).column
    statements = [f"UPDATE {table} SET {column} = 'tampered' WHERE id = %s",  # noqa: S608
                  f"UPDATE {table} SET created_at = created_at - interval '1 day' "  # noqa: S608
                  f"WHERE id = %s",
                  f"DELETE FROM {table} WHERE id = %s"]  # noqa: S608
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert row_snapshot(row) == before
