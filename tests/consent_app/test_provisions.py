"""Provision records (P14-P16, P22): what was given to whom, why, on which legal basis."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.evidence import AppendOnlyError
from consent_app import selectors, services
from consent_app.models import ProvisionRecord

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _record(user, **overrides):
    fields = dict(user=user, recipient="Acme Storage K.K.", recipient_type="service_provider",
                  purpose="Data storage", legal_basis="service_delegation",
                  data_categories=["profile", "account_content"],
                  provided_at=NOW - timedelta(hours=1))
    fields.update(overrides)
    return services.provision_record(**fields)


@time_machine.travel(NOW, tick=False)
def test_p14_service_delegation_is_recorded_with_its_fields(alice, officer):
    record = _record(alice, recorded_by=officer)
    assert (record.recipient, record.recipient_type, record.legal_basis) == (
        "Acme Storage K.K.", "service_provider", "service_delegation")
    assert record.data_categories == ["profile", "account_content"]
    assert list(selectors.provision_records_for_user(user=alice)) == [record]
    with pytest.raises(AppendOnlyError):
        record.delete()


@time_machine.travel(NOW, tick=False)
def test_p15_consent_basis_without_consent_event_is_refused(alice):
    with pytest.raises(DomainError) as exc:
        _record(alice, legal_basis="consent", recipient_type="business_partner")
    assert exc.value.code == "provision_invalid" and "consent_event" in exc.value.details
    assert not ProvisionRecord.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_p15_consent_basis_with_the_users_grant_is_recorded(alice):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        grant = services.consent_grant(user=alice, purpose="third_party_provision:partner-x",
                                       channel="portal")
    record = _record(alice, legal_basis="consent", recipient="Partner X",
                     recipient_type="business_partner", consent_event=grant)
    assert record.consent_event == grant


@time_machine.travel(NOW, tick=False)
def test_p15_consent_of_another_user_or_withdrawn_consent_is_refused(alice, bob):
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        bobs = services.consent_grant(user=bob, purpose="third_party_provision:x", channel="api")
        alices = services.consent_grant(user=alice, purpose="third_party_provision:x",
                                        channel="api")
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        services.consent_withdraw(user=alice, purpose="third_party_provision:x", channel="api")
    for event in (bobs, alices):
        with pytest.raises(DomainError):
            _record(alice, legal_basis="consent", consent_event=event)
    assert not ProvisionRecord.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_p15_consent_to_an_unrelated_purpose_is_refused(alice):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        marketing = services.consent_grant(user=alice, purpose="marketing_email",
                                           channel="portal")
    with pytest.raises(DomainError):
        _record(alice, legal_basis="consent", consent_event=marketing)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("field", "value"), [
    ("recipient", " "), ("recipient_type", "friend"), ("legal_basis", "because"),
    ("purpose", ""), ("data_categories", []), ("provided_at", NOW + timedelta(minutes=5)),
])
def test_bad_provision_input_is_refused_and_nothing_written(alice, field, value):
    with pytest.raises(DomainError) as exc:
        _record(alice, **{field: value})
    assert field in exc.value.details
    assert not ProvisionRecord.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("basis", "recipient_type"), [
    ("legal_requirement", "judicial_authority"), ("protection", "judicial_authority"),
    ("investigation", "staff")])
def test_p16_p22_other_legal_bases_need_no_consent(alice, basis, recipient_type):
    assert _record(alice, legal_basis=basis, recipient_type=recipient_type).pk
