"""Exports for the disclosure package (P21) and the provision record (APPI Art. 33(5))."""

import json

import pytest

from ccucaas_privacy import clock
from consent_app import exports, services
from consent_app.models import ConsentEvent

pytestmark = pytest.mark.django_db


def test_p21_exports_are_json_serialisable_and_scoped(alice, bob):
    grant = services.consent_grant(user=alice, purpose="third_party_provision:acme",
                                   channel="portal", ip="192.0.2.4")
    services.consent_grant(user=bob, purpose="marketing_email", channel="portal")
    services.policy_accept(user=alice, version=grant.policy_version, channel="signup")
    services.testimonial_create(user=alice, display_name="A", body="良い", ready=True)
    services.provision_record(
        user=alice, recipient="Acme", recipient_type="business_partner", purpose="Research",
        legal_basis="consent", data_categories=["profile"],
        provided_at=clock.now(),
        consent_event=grant)
    data = {"consents": exports.consents_export(user=alice),
            "acceptances": exports.policy_acceptances_export(user=alice),
            "testimonials": exports.testimonials_export(user=alice),
            "provisions": exports.provisions_export(user=alice)}
    json.dumps(data)
    assert [c["purpose"] for c in data["consents"]] == ["third_party_provision:acme"]
    assert data["consents"][0]["ip"] == "192.0.2.4"
    assert data["testimonials"][0]["published"] is False  # no testimonial consent
    assert data["provisions"][0]["consent_receipt_id"] == str(grant.receipt_id)
    assert data["acceptances"][0]["version"] == "1"


def test_p21_testimonials_erased_ledger_kept(alice):
    services.consent_grant(user=alice, purpose="testimonial_publication", channel="portal")
    services.testimonial_create(user=alice, display_name="A", body="良い", ready=True)
    assert services.testimonials_erase(user=alice) == 1
    assert exports.testimonials_export(user=alice) == []
    assert ConsentEvent.objects.filter(user=alice).count() == 1
