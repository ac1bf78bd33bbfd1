"""Admin: the ledger is read-only; publishing a policy goes through the P25 guard."""

from datetime import UTC, datetime

import pytest
import time_machine

from consent_app import models as consent_models
from consent_app import services
from consent_app.models import ConsentEvent, PolicyVersion, ProvisionRecord

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 2026-12-01 10:00 JST


@pytest.fixture
def staff(client, officer, staff_sign_in):
    return staff_sign_in(client, officer)


def _version_form(date: str, time: str, importance="major", version="2"):
    return {"version": version, "effective_at_0": date, "effective_at_1": time,
            "importance": importance, "summary_ja": "変更点", "summary_en": "Changes",
            "full_text_ja": "本文", "full_text_en": "Text"}


@time_machine.travel(NOW, tick=False)
def test_p25_admin_refuses_major_version_with_29_days_23_hours_notice(staff):
    # 2026-12-31 09:00 JST is 29 days 23 hours after 2026-12-01 10:00 JST.
    response = staff.post("/admin/consent_app/policyversion/add/",
                          _version_form("2026-12-31", "09:00"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "30日" in " ".join(errors["effective_at"])
    assert not PolicyVersion.objects.filter(version="2").exists()


@time_machine.travel(NOW, tick=False)
def test_p25_admin_publishes_major_version_with_30_days_notice(staff):
    response = staff.post("/admin/consent_app/policyversion/add/",
                          _version_form("2026-12-31", "10:00"))
    assert response.status_code == 302
    version = PolicyVersion.objects.get(version="2")
    assert version.effective_at == datetime(2026, 12, 31, 1, 0, tzinfo=UTC)
    assert version.published_at == NOW


def test_ledger_admin_is_read_only(staff, alice):
    event = services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    assert staff.get("/admin/consent_app/consentevent/").status_code == 200
    assert staff.get("/admin/consent_app/consentevent/add/").status_code == 403
    assert staff.post(f"/admin/consent_app/consentevent/{event.pk}/delete/",
                      {"post": "yes"}).status_code == 403
    response = staff.post(f"/admin/consent_app/consentevent/{event.pk}/change/",
                          {"action": "withdrawn"})
    assert response.status_code == 403
    assert ConsentEvent.objects.get(pk=event.pk).action == "granted"


def test_admin_provision_on_consent_without_event_is_a_form_error(staff, alice):
    response = staff.post("/admin/consent_app/provisionrecord/add/", {
        "user": alice.pk, "recipient": "Partner", "recipient_type": "business_partner",
        "purpose": "Joint campaign", "legal_basis": "consent", "data_categories": "profile",
        "provided_at_0": "2026-01-05", "provided_at_1": "10:00"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["consent_event"]
    assert not ProvisionRecord.objects.exists()


def test_admin_records_a_provision_through_the_service(staff, alice, officer):
    response = staff.post("/admin/consent_app/provisionrecord/add/", {
        "user": alice.pk, "recipient": "Acme Storage", "recipient_type": "service_provider",
        "purpose": "Storage", "legal_basis": "service_delegation",
        "data_categories": "profile, account_content",
        "provided_at_0": "2026-01-05", "provided_at_1": "10:00"})
    assert response.status_code == 302
    record = ProvisionRecord.objects.get()
    assert record.data_categories == ["profile", "account_content"]
    assert record.recorded_by == officer


def test_admin_drafts_a_testimonial(staff, alice, officer):
    response = staff.post("/admin/consent_app/testimonial/add/", {
        "user": alice.pk, "display_name": "A. S.", "body": "便利です", "language": "ja",
        "ready": "on"})
    assert response.status_code == 302
    testimonial = consent_models.Testimonial.objects.get()
    assert testimonial.created_by == officer and testimonial.ready
    assert staff.get("/admin/consent_app/testimonial/").status_code == 200
