"""The one append-only mechanism (ccucaas_privacy.evidence, issue 18): every evidence model uses
it, the ORM refuses update, delete and bulk update of every one, PostgreSQL refuses plain SQL on
every evidence table (ccucaas_privacy.migrations_ops.AppendOnlyTrigger), and erasure works only
through `evidence_erase` and only inside it (P18, P21)."""

import ast
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from accounts_app.models import AccountClosure, ProfileChange, StaffAccess, StaffAccessKind, User
from accounts_app.services.accounts import profile_update
from accounts_app.services.staff import staff_access_record
from agents_app.models import Agent, AgentChange, CallbackAttempt, DrpRequest, StatusCallback
from automation_app.models import AutomationChange
from ccucaas_privacy import clock
from ccucaas_privacy.admin import ReadOnlyAdmin
from ccucaas_privacy.evidence import (
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    evidence_erase,
)
from consent_app.models import (
    ConsentEvent,
    PolicyAcceptance,
    ProcessingRestriction,
    ProvisionRecord,
)
from consent_app.selectors import policy_version_current
from consent_app.services import consent_grant, policy_accept, provision_record, restriction_record
from incidents_app.models import IncidentAlert, IncidentEvent
from notifications_app.models import Campaign, CampaignEvent
from requests_app.models import DeadlineAlert, RequestEvent
from requests_app.services.filing import request_file
from tests.conftest import row_snapshot
from tests.incidents_app.conftest import record as incident_record

pytestmark = [pytest.mark.rule("P18"), pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
APPS = ("ccucaas_privacy", "accounts_app", "consent_app", "notifications_app", "requests_app",
        "agents_app", "incidents_app", "automation_app")
EVIDENCE = [ProfileChange, AccountClosure, StaffAccess, ConsentEvent, PolicyAcceptance, ProvisionRecord, CampaignEvent, RequestEvent,
            DeadlineAlert, IncidentEvent, IncidentAlert, AgentChange, CallbackAttempt,
            ProcessingRestriction, AutomationChange]
GUARDS = {"AppendOnlyError", "AppendOnlyQuerySet", "AppendOnlyModel", "_Evidence"}


@pytest.fixture
def evidence(alice, officer):
    """One row of each evidence table."""
    request, _sent = request_file(type="disclosure", channel="portal", details={}, subject=alice)
    incident = incident_record(officer)
    agent = Agent.objects.create(agent_id="k2-agent", name="Agent", verify_key="x" * 44)
    drp = DrpRequest.objects.create(agent=agent, exercise="sale:opt_out", received_at=clock.now())
    callback = StatusCallback.objects.create(drp_request=drp, payload={"status": "open"})
    [change] = profile_update(user=alice, changes={"last_name": "Liddell"}, channel="portal")
    rows = {
        ProfileChange: change,
        AccountClosure: AccountClosure.objects.create(user=alice, reason="moving", channel="portal"),
        StaffAccess: staff_access_record(staff=officer, what=StaffAccessKind.REQUEST_DETAIL,
                                         reason="Answering the disclosure", subject=alice),
        ConsentEvent: consent_grant(user=alice, purpose="marketing_email", channel="portal"),
        PolicyAcceptance: policy_accept(user=alice, version=policy_version_current(),
                                        channel="portal"),
        ProvisionRecord: provision_record(
            user=alice, recipient="Acme Storage K.K.", recipient_type="service_provider",
            purpose="Data storage", legal_basis="service_delegation", data_categories=["profile"],
            provided_at=clock.now() - timedelta(hours=1), recorded_by=officer),
        CampaignEvent: CampaignEvent.objects.create(
            campaign=Campaign.objects.create(kind="marketing", title_en="k2"), kind="started",
            actor=officer),
        RequestEvent: request.events.first(),
        DeadlineAlert: DeadlineAlert.objects.create(request=request, kind="reply_reminder_7d",
                                                    outcome=DeadlineAlert.Outcome.SENT),
        IncidentEvent: incident.events.get(),
        IncidentAlert: IncidentAlert.objects.create(incident=incident, kind="preliminary_due",
                                                    due_at=clock.now(), outcome="sent"),
        AgentChange: AgentChange.objects.create(agent=agent, action="create", actor=officer),
        CallbackAttempt: CallbackAttempt.objects.create(callback=callback, http_status=500),
        ProcessingRestriction: restriction_record(
            user=alice, kind="stop_use", request_reference=request.reference,
            effective_from=clock.now(), purposes=["marketing_email"])[0],
        AutomationChange: AutomationChange.objects.create(
            kind="rule", object_id="1", summary="k2", actor=officer),
    }
    for model, row in rows.items():
        assert isinstance(row, model) and row.pk, model
    return rows


def _text_field(model) -> str:
    for field in model._meta.concrete_fields:
        if field.get_internal_type() in ("CharField", "TextField") and not field.choices:
            return field.name
    raise AssertionError(model)


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL", pytrace=False)
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def _erasure_setting() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('ccucaas.evidence_erasure', true)")
        return cursor.fetchone()[0]


def _app_classes(*, home):
    """(path, class node) of every class defined in the apps' code, outside migrations and the
    mechanism's `home` module."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == home:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    yield path, node


def test_every_evidence_model_uses_the_one_mechanism_and_no_copy_is_left():
    concrete = {m for m in apps.get_models() if issubclass(m, AppendOnlyModel)}
    assert concrete == set(EVIDENCE)
    for model in EVIDENCE:
        assert isinstance(model._default_manager.all(), AppendOnlyQuerySet), model
    copies = [f"{path.relative_to(ROOT)}:{node.name}"
              for path, node in _app_classes(home=ROOT / "ccucaas_privacy" / "evidence.py")
              if node.name in GUARDS]
    assert copies == []


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_p18_the_orm_refuses_update_delete_and_bulk_update_of_every_evidence_model(
        evidence, model):
    row = evidence[model]
    before = row_snapshot(row)
    field = _text_field(model)
    loaded = model.objects.get(pk=row.pk)
    setattr(loaded, field, "tampered")
    for attempt in (loaded.save, loaded.delete,
                    lambda: model.objects.filter(pk=row.pk).update(**{field: "tampered"}),
                    lambda: model.objects.filter(pk=row.pk).delete(),
                    lambda: model.objects.bulk_update([loaded], [field]),
                    lambda: model.objects.update_or_create(pk=row.pk, defaults={field: "x"})):
        with pytest.raises(AppendOnlyError, match="append-only"):
            attempt()
    assert row_snapshot(row) == before


def test_p18_save_only_inserts_so_a_row_cannot_be_overwritten_by_its_primary_key(evidence):
    row = evidence[RequestEvent]
    forged = RequestEvent(pk=row.pk, request_id=row.request_id, action="forged")
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert RequestEvent.objects.get(pk=row.pk).action == row.action


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_p18_postgresql_refuses_plain_sql_update_and_delete_on_every_evidence_table(
        evidence, model):
    _require_postgresql()
    row = evidence[model]
    before = row_snapshot(row)
    table = model._meta.db_table
    column = model._meta.get_field(_text_field(model)).column
    for sql in (f"UPDATE {table} SET {column} = 'tampered' WHERE id = %s",  # noqa: S608
                f"DELETE FROM {table} WHERE id = %s"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert row_snapshot(row) == before


def test_p18_postgresql_lets_through_the_set_null_of_an_erased_actor_only(evidence, officer):
    _require_postgresql()
    event = evidence[CampaignEvent]
    table = CampaignEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_id = NULL, note = 'x' WHERE id = %s",  # noqa: S608
                       [event.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_id = NULL WHERE id = %s", [event.pk])  # noqa: S608
    event.refresh_from_db()
    assert event.actor_id is None and event.note == ""


@pytest.mark.rule("P21")
def test_p21_evidence_erase_deletes_logs_and_lifts_the_guard_inside_the_call_only(
        alice, bob, caplog):
    profile_update(user=alice, changes={"last_name": "Liddell"}, channel="portal")
    [kept] = profile_update(user=bob, changes={"last_name": "Builder"}, channel="portal")
    with caplog.at_level(logging.INFO, logger="ccucaas_privacy.evidence"), transaction.atomic():
        erased = evidence_erase(ProfileChange.objects.filter(user=alice), reason="P21 request R-1")
        # Same transaction, after the call: the ORM guard and the trigger are back.
        with pytest.raises(AppendOnlyError):
            ProfileChange.objects.filter(user=bob).delete()
        if connection.vendor == "postgresql":
            assert _erasure_setting() != "on"
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute("DELETE FROM accounts_app_profilechange WHERE id = %s", [kept.pk])
    assert erased == 1
    assert not ProfileChange.objects.filter(user=alice).exists()
    assert list(ProfileChange.objects.filter(user=bob)) == [kept]
    [logged] = [r for r in caplog.records if r.name == "ccucaas_privacy.evidence"]
    assert (logged.evidence_model, logged.evidence_erased, logged.evidence_reason) == (
        "accounts_app.ProfileChange", 1, "P21 request R-1")


@pytest.mark.rule("P21")
@pytest.mark.parametrize("reason", ["", "   "])
def test_p21_evidence_erase_without_a_reason_is_refused_and_erases_nothing(alice, reason):
    profile_update(user=alice, changes={"last_name": "Liddell"}, channel="portal")
    with pytest.raises(ValueError, match="reason"):
        evidence_erase(ProfileChange.objects.filter(user=alice), reason=reason)
    assert ProfileChange.objects.filter(user=alice).count() == 1


def test_evidence_erase_takes_evidence_only(alice):
    with pytest.raises(TypeError, match="append-only"):
        evidence_erase(User.objects.filter(pk=alice.pk), reason="not evidence")
    assert User.objects.filter(pk=alice.pk).exists()


@pytest.mark.rule("P21")
def test_p21_a_failed_erasure_changes_nothing_and_leaves_both_guards_in_place(evidence, alice):
    # A provision record (evidence too) protects the consent event it was based on.
    ProvisionRecord.objects.create(
        user=alice, recipient="Beta K.K.", recipient_type="business_partner", purpose="Research",
        legal_basis="consent", provided_at=clock.now(), consent_event=evidence[ConsentEvent],
        recorded_by=evidence[StaffAccess].staff)
    consent = ConsentEvent.objects.filter(user=alice)
    before = consent.count()
    with pytest.raises(ProtectedError):
        evidence_erase(consent, reason="erasing what another record still needs")
    assert consent.count() == before
    with pytest.raises(AppendOnlyError):
        consent.delete()
    if connection.vendor == "postgresql":
        assert _erasure_setting() != "on"


def test_p18_every_evidence_model_has_the_one_read_only_admin_and_no_copy_is_left():
    # Provision records are added by officers in the admin (through the service, P14-P16);
    # campaign events and callback attempts are shown as read-only inlines of their parent.
    registered = [m for m in EVIDENCE if admin.site.is_registered(m) and m is not ProvisionRecord]
    assert len(registered) == 12
    for model in registered:
        assert isinstance(admin.site.get_model_admin(model), ReadOnlyAdmin), model
    copies = []
    for path, node in _app_classes(home=ROOT / "ccucaas_privacy" / "admin.py"):
        refused = {f.name for f in node.body if isinstance(f, ast.FunctionDef)
                   and len(f.body) == 1 and isinstance(f.body[0], ast.Return)
                   and isinstance(f.body[0].value, ast.Constant)
                   and f.body[0].value.value is False}
        if {"has_add_permission", "has_change_permission"} <= refused:
            copies.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert copies == []
