"""An accepted stop of use or of provision (APPI Art. 35; issue 21) is obeyed at every place
that uses the restricted purpose: the consent check, marketing sends, analytics tracking,
testimonial publication and provision recording each refuse while it is in effect (a test per
place), and not before it takes effect."""

from datetime import timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from consent_app import selectors, services
from consent_app.models import ALL_RECIPIENTS, ProcessingRestriction, ProvisionRecord
from notifications_app.services.outbox import notification_queue, notifications_queue_many

pytestmark = pytest.mark.django_db


def stop(user, *, purposes=(), recipients=(), kind="stop_use", effective_from=None,
         reference="DSR-2026-000001"):
    return services.restriction_record(
        user=user, kind=kind, request_reference=reference,
        effective_from=effective_from or clock.now(), purposes=list(purposes),
        recipients=list(recipients))


def test_appi35_consent_check_refuses_a_stopped_purpose(alice):
    services.consent_grant(user=alice, purpose="persistent_login", channel="portal")
    assert selectors.consent_is_granted(user=alice, purpose="persistent_login")
    stop(alice, purposes=["persistent_login"])
    assert not selectors.consent_is_granted(user=alice, purpose="persistent_login")
    assert selectors.purpose_is_restricted(user=alice, purpose="persistent_login")


def test_appi35_restriction_counts_only_from_its_effective_time(alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    later = clock.now() + timedelta(hours=1)
    stop(alice, purposes=["marketing_email"], effective_from=later)
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")


def test_appi35_stopping_a_base_purpose_covers_its_parameterised_codes(alice):
    services.consent_grant(user=alice, purpose="third_party_provision:acme", channel="portal")
    stop(alice, purposes=["third_party_provision"])
    assert not selectors.consent_is_granted(user=alice, purpose="third_party_provision:acme")


def test_appi35_a_stop_covers_only_its_user_its_purpose_and_its_kind(alice, bob):
    for user in (alice, bob):
        for purpose in ("marketing_email", "persistent_login"):
            services.consent_grant(user=user, purpose=purpose, channel="portal")
    stop(alice, purposes=["marketing_email"])
    stop(bob, recipients=["Acme"], kind="stop_provision", reference="DSR-2026-000002")
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    assert selectors.consent_is_granted(user=alice, purpose="persistent_login")
    assert selectors.consent_is_granted(user=bob, purpose="marketing_email")


def test_consent_check_follows_the_latest_event_after_a_withdrawal_and_a_new_grant(alice):
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    services.consent_withdraw(user=alice, purpose="marketing_email", channel="portal")
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")


def test_appi35_marketing_send_is_suppressed_for_a_stopped_recipient(alice, bob):
    for user in (alice, bob):
        services.consent_grant(user=user, purpose="marketing_email", channel="portal")
    stop(alice, purposes=["marketing_email"])
    assert selectors.users_with_consent(user_ids=[alice.pk, bob.pk],
                                        purpose="marketing_email") == {bob.pk}
    rows = notifications_queue_many(kind="marketing_announcement", cause="news-2026-12",
                                    users=[alice, bob], context_for=lambda language: {"title": "News"},
                                    enqueue=False)
    by_user = {user_id: status for user_id, (_pk, status) in rows.items()}
    assert by_user[alice.pk] == "suppressed" and by_user[bob.pk] != "suppressed"
    single = notification_queue(kind="marketing_announcement", cause="news-2026-12b",
                                user=alice, context={"title": "News"})
    assert single.status == "suppressed"


@pytest.mark.parametrize("restricted", [False, True])
def test_appi35_analytics_tracking_tag_does_not_render_while_stopped(alice, settings, restricted):
    settings.ANALYTICS_SCRIPT_URL = "https://analytics.example/tag.js"
    services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
    if restricted:
        stop(alice, purposes=["analytics_tracking"])
    request = RequestFactory().get("/")
    request.user = alice
    request.gpc = False
    out = Template("{% load consent_tags %}{% tracking_allowed as ok %}{{ ok }}").render(
        Context({"request": request}))
    assert out == ("False" if restricted else "True")


def test_appi35_testimonial_is_unpublished_while_its_publication_is_stopped(alice, officer):
    services.consent_grant(user=alice, purpose="testimonial_publication", channel="portal")
    testimonial = services.testimonial_create(user=alice, display_name="Alice", body="最高です",
                                              ready=True, created_by=officer)
    assert selectors.testimonial_is_published(testimonial=testimonial)
    stop(alice, purposes=["testimonial_publication"])
    assert not selectors.testimonial_is_published(testimonial=testimonial)
    assert list(selectors.testimonials_published()) == []


@pytest.mark.parametrize("recipient, named", [("Acme KK", "acme kk"), (ALL_RECIPIENTS, "Other Co")])
def test_appi35_recording_a_provision_to_a_stopped_recipient_is_refused(alice, officer,
                                                                         recipient, named):
    stop(alice, kind="stop_provision", recipients=[recipient])
    before = ProvisionRecord.objects.count()
    with pytest.raises(DomainError) as caught:
        services.provision_record(user=alice, recipient=named, recipient_type="business_partner",
                                  purpose="共同キャンペーン", legal_basis="investigation",
                                  data_categories=["profile"], provided_at=clock.now(),
                                  recorded_by=officer)
    assert "recipient" in caught.value.details
    assert ProvisionRecord.objects.count() == before


def test_appi35_provision_to_another_recipient_is_still_recorded(alice, officer):
    stop(alice, kind="stop_provision", recipients=["Acme KK"])
    services.provision_record(user=alice, recipient="Other Co", recipient_type="service_provider",
                              purpose="保管", legal_basis="service_delegation",
                              data_categories=["profile"], provided_at=clock.now(),
                              recorded_by=officer)
    assert ProvisionRecord.objects.filter(user=alice).count() == 1


def test_appi35_admin_provision_form_shows_the_restriction_as_a_field_error(
        alice, officer, client, staff_sign_in):
    stop(alice, kind="stop_provision", recipients=[ALL_RECIPIENTS])
    staff = staff_sign_in(client, officer)
    response = staff.post("/admin/consent_app/provisionrecord/add/", {
        "user": alice.pk, "recipient": "Acme KK", "recipient_type": "business_partner",
        "purpose": "共同キャンペーン", "legal_basis": "investigation", "data_categories": "profile",
        "provided_at_0": "2026-01-05", "provided_at_1": "10:00"})
    assert response.status_code == 200
    assert "recipient" in response.context["adminform"].form.errors
    assert ProvisionRecord.objects.count() == 0


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "stop_use", "purposes": []}, "purposes"),
    ({"kind": "stop_provision", "recipients": []}, "recipients"),
    ({"kind": "pause", "purposes": ["marketing_email"]}, "kind"),
    ({"kind": "stop_use", "purposes": ["marketing_email"], "scope": "some"}, "scope"),
])
def test_appi35_bad_restriction_is_refused_and_nothing_recorded(alice, kwargs, field):
    with pytest.raises(DomainError) as caught:
        services.restriction_record(user=alice, request_reference="R", effective_from=clock.now(),
                                    **kwargs)
    assert field in caught.value.details
    assert ProcessingRestriction.objects.count() == 0


def test_appi35_recording_the_same_request_twice_adds_nothing(alice):
    first = stop(alice, purposes=["marketing_email", "analytics_tracking"])
    again = stop(alice, purposes=["marketing_email", "analytics_tracking"])
    assert len(first) == 2 and {r.pk for r in again} == {r.pk for r in first}
