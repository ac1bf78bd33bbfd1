"""The consent ledger (P02, P05, P07, P11, P12, P15, P20): grant, withdraw, current state."""

import os

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from ccucaas_privacy.errors import ConflictError, DomainError
from consent_app import selectors, services
from consent_app.models import ConsentEvent, Purpose
from tests.conftest import assert_append_only, run_at_once

pytestmark = pytest.mark.django_db


def test_purposes_are_seeded_with_both_languages_and_flags():
    codes = set(Purpose.objects.values_list("code", flat=True))
    assert {"marketing_email", "testimonial_publication", "cross_border_storage",
            "persistent_login", "analytics_tracking", "third_party_provision",
            "new_purpose"} <= codes
    storage = Purpose.objects.get(code="cross_border_storage")
    assert storage.required and not storage.withdrawable
    assert all(p.name_ja and p.name_en and p.description_ja and p.description_en
               for p in Purpose.objects.all())
    assert Purpose.objects.get(code="third_party_provision").parameterised


def test_p02_grant_then_withdraw_current_state_follows_latest_event(alice):
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    grant = services.consent_grant(user=alice, purpose="marketing_email", channel="portal",
                                   ip="192.0.2.1", user_agent="UA/1")
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")
    assert grant.policy_version == selectors.policy_version_current()
    assert (grant.ip, grant.user_agent, grant.action) == ("192.0.2.1", "UA/1", "granted")
    services.consent_withdraw(user=alice, purpose="marketing_email", channel="api")
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    services.consent_grant(user=alice, purpose="marketing_email", channel="email_link")
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")
    assert list(ConsentEvent.objects.filter(user=alice).order_by("id")
                .values_list("action", "channel")) == [
        ("granted", "portal"), ("withdrawn", "api"), ("granted", "email_link")]


def test_state_follows_latest_event_even_within_the_same_instant(alice):
    with time_machine.travel("2026-12-01 10:00+09:00", tick=False):
        services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
        services.consent_withdraw(user=alice, purpose="analytics_tracking", channel="portal")
        assert not selectors.consent_is_granted(user=alice, purpose="analytics_tracking")


def test_granting_twice_is_idempotent(alice):
    first = services.consent_grant(user=alice, purpose="persistent_login", channel="portal")
    second = services.consent_grant(user=alice, purpose="persistent_login", channel="api")
    assert first.pk == second.pk
    assert ConsentEvent.objects.filter(user=alice).count() == 1


def test_withdrawing_twice_writes_once(alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    one = services.consent_withdraw(user=alice, purpose="marketing_email", channel="portal")
    two = services.consent_withdraw(user=alice, purpose="marketing_email", channel="portal")
    assert one.pk == two.pk


def test_consent_is_per_user(alice, bob):
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    assert not selectors.consent_is_granted(user=bob, purpose="marketing_email")


@pytest.mark.parametrize("purpose", ["", "nonsense", "marketing_email:x", "third_party_provision",
                                     "third_party_provision:", "third_party_provision:Bad Name",
                                     "new_purpose:../x"])
def test_unknown_purpose_is_refused_and_nothing_written(alice, purpose):
    with pytest.raises(DomainError) as exc:
        services.consent_grant(user=alice, purpose=purpose, channel="portal")
    assert exc.value.code == "unknown_purpose"
    assert not ConsentEvent.objects.exists()


def test_unknown_channel_is_refused(alice):
    with pytest.raises(DomainError):
        services.consent_grant(user=alice, purpose="marketing_email", channel="fax")
    assert not ConsentEvent.objects.exists()


def test_p07_withdrawing_cross_border_storage_explains_closing_the_account(alice):
    services.consent_grant(user=alice, purpose="cross_border_storage", channel="signup")
    with pytest.raises(ConflictError) as exc:
        services.consent_withdraw(user=alice, purpose="cross_border_storage", channel="portal")
    assert exc.value.code == "purpose_required"
    assert "アカウントの閉鎖" in exc.value.message
    assert selectors.consent_is_granted(user=alice, purpose="cross_border_storage")
    assert ConsentEvent.objects.filter(user=alice).count() == 1


def test_p15_p20_parameterised_purposes_are_separate_consents(alice):
    services.consent_grant(user=alice, purpose="third_party_provision:acme-research",
                           channel="portal")
    services.consent_grant(user=alice, purpose="new_purpose:ai_training", channel="portal")
    assert selectors.consent_is_granted(user=alice, purpose="third_party_provision:acme-research")
    assert not selectors.consent_is_granted(user=alice, purpose="third_party_provision:other")
    states = {s.code: s for s in selectors.consent_states(user=alice)}
    assert states["third_party_provision:acme-research"].granted
    assert states["new_purpose:ai_training"].parameter == "ai_training"
    assert not states["marketing_email"].granted


def test_ledger_rows_refuse_update_and_delete_in_the_model_layer(alice):
    event = services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    event.action = "withdrawn"
    assert_append_only(event, update=(ConsentEvent.objects.filter(pk=event.pk),
                                      {"action": "withdrawn"}), delete=ConsentEvent.objects.all())
    event.refresh_from_db()
    assert event.action == "granted"


def test_user_with_ledger_rows_cannot_be_deleted(alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    with pytest.raises((IntegrityError, Exception)):
        alice.delete()
    assert ConsentEvent.objects.filter(user=alice).exists()


@pytest.fixture
def postgresql_only():
    """Runs wherever DATABASE_URL is PostgreSQL; fails (not skips) under REQUIRE_SERVICES=1
    when it is not, so CI cannot pass without proving the database-level refusal."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL", pytrace=False)
    pytest.skip("needs DATABASE_URL pointing at PostgreSQL (row locks, the append-only trigger)")


def test_ledger_rows_refuse_update_and_delete_in_postgresql(alice, postgresql_only):
    """The database itself refuses: raw SQL bypassing the ORM fails (trigger, migration 0003)."""
    from django.db import DatabaseError

    event = services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    table = ConsentEvent._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'withdrawn' WHERE id = %s",  # noqa: S608
                f"DELETE FROM {table} WHERE id = %s"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.action == "granted"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_grants_append_one_event_on_postgresql(make_user, postgresql_only):
    """The per-user row lock serialises ledger writes: a double click records one grant."""
    carol = make_user("carol")
    errors = run_at_once(lambda: services.consent_grant(user=carol, purpose="marketing_email",
                                                        channel="portal"), threads=4, timeout=30)
    assert errors == []
    assert ConsentEvent.objects.filter(user=carol).count() == 1
