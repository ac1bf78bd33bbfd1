"""Stop of use / erasure and stop of provision (APPI Art. 35; issue 21): each type through its
lifecycle with frozen time (filing, verification for the web form, reply, in effect within
48 hours, propagation to service providers over real HTTP with real signatures), partial
acceptance and substitute measures, and bad input refused with nothing changed."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from consent_app import selectors as consent_selectors
from consent_app import services as consent_services
from consent_app.models import ProcessingRestriction
from notifications_app.models import OutboundEmail
from notifications_app.rendering import email_render
from requests_app.connectors import webhook
from requests_app.models import DataSubjectRequest, Processor, Propagation, RequestEvent, Status
from requests_app.services import filing, restrictions, transitions, verification
from tests.requests_app.conftest import T0
from tests.requests_app.fake_processor import FakeProcessor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]
SECRET = "webhook-test-secret-0123456789-of-32-bytes"
STOP_MARKETING = {"purposes": ["marketing_email"], "grounds": ["no_longer_needed"]}


def email_text(request, kind: str) -> str:
    row = OutboundEmail.objects.filter(kind=kind, cause__contains=str(request.pk)).order_by("-id").first()
    if row is None:
        row = OutboundEmail.objects.filter(kind=kind).order_by("-id").first()
    assert row is not None, kind
    _subject, text, _html = email_render(kind=kind, language=row.language, context={
        **row.context, "site_url": "https://privacy.example", "recipient_name": "X"})
    return text


def file_stop(user, details=STOP_MARKETING, type="stop_use", now=T0):
    request, _sent = filing.request_file(type=type, channel="portal", details=details,
                                         subject=user, now=now)
    return request


@pytest.fixture
def provider(monkeypatch, settings):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True  # the fake provider is on 127.0.0.1
    monkeypatch.setenv("PROCESSOR_SECRET_TEST_WEBHOOK", SECRET)
    with FakeProcessor(webhook_secret=SECRET) as fake:
        fake.opendsr = Processor.objects.create(
            name="Analytics Co", purpose="analytics", country="US", connector="opendsr",
            endpoint_url=fake.opendsr_url, correction_request_type="access",
            correction_extension_key="corrections")
        fake.hook = Processor.objects.create(
            name="Storage Co", purpose="storage", country="SG", connector="webhook",
            endpoint_url=f"{fake.url}/hook", secret_env="PROCESSOR_SECRET_TEST_WEBHOOK")
        yield fake


def test_appi35_stop_use_portal_lifecycle_reply_records_restriction_in_effect(alice, officer, run):
    consent_services.consent_grant(user=alice, purpose="marketing_email", channel="portal")
    assert consent_selectors.consent_is_granted(user=alice, purpose="marketing_email")
    with time_machine.travel(T0, tick=False):
        request = run(file_stop, alice)
    assert request.status == Status.RECEIVED
    assert request.reply_due_at == clock.reply_due_at(request.received_at)  # P21: 30 days
    assert consent_selectors.consent_is_granted(user=alice, purpose="marketing_email")
    replied_at = T0 + timedelta(days=2)
    with time_machine.travel(replied_at, tick=False):
        run(transitions.request_reply, request=request, actor=officer, text="停止します。")
        request.refresh_from_db()
        # no service provider: in effect at the reply, completed at once (well within 48 h)
        assert request.status == Status.COMPLETED
        assert request.effective_due_at == replied_at + timedelta(hours=48)
        assert request.completed_at <= request.effective_due_at
        restriction = ProcessingRestriction.objects.get(user=alice)
        assert (restriction.kind, restriction.purpose, restriction.scope) == (
            "stop_use", "marketing_email", "full")
        assert restriction.effective_from == replied_at
        assert not consent_selectors.consent_is_granted(user=alice, purpose="marketing_email")
    text = email_text(request, "request_replied")
    assert "新サービス・リリース・イベントのお知らせメール" in text  # the purpose, by its name


def test_appi35_stop_provision_web_form_needs_verification_then_restricts_the_recipient(
        alice, officer, run):
    with time_machine.travel(T0, tick=False):
        request, sent = run(filing.request_file, type="stop_provision", channel="web_form",
                            details={"recipients": ["Acme KK"], "grounds": ["unlawful_provision",
                                                                            "harms_rights"]},
                            subject_name="Alice", subject_email=alice.email)
    assert request.status == Status.AWAITING_VERIFICATION and sent is not None
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        run(verification.request_verify_identity, request=request, actor=officer,
            note="call-back")
        request.refresh_from_db()
        assert request.status == Status.RECEIVED
        run(transitions.request_reply, request=request, actor=officer, text="提供を停止します。")
    assert consent_selectors.provision_is_restricted(user=alice, recipient="acme kk")
    assert not consent_selectors.provision_is_restricted(user=alice, recipient="Other Co")


def test_appi35_restriction_is_propagated_by_signed_webhook_and_opendsr_extensions(
        alice, officer, run, provider, client):
    start = clock.now()  # the fake provider's certificate is valid from now on
    with time_machine.travel(start, tick=False):
        request = run(file_stop, alice, {"purposes": ["analytics_tracking"], "erase": True,
                                         "grounds": ["beyond_purpose"]})
        run(restrictions.restriction_decide, request=request, actor=officer, scope="partial",
            scope_note="アクセス解析のみ", substitute_measure="", substitute_reason="")
    replied_at = start + timedelta(hours=1)
    with time_machine.travel(replied_at, tick=False):
        run(transitions.request_reply, request=request, actor=officer, text="停止します。")
        hook = next(r for r in provider.received if r["path"] == "/hook")
        webhook.verify(SECRET, hook["body"], hook["headers"][webhook.SIGNATURE_HEADER])
    request.refresh_from_db()
    assert request.status == Status.REPLIED  # waiting for the providers
    payload = json.loads(hook["body"])
    assert payload["type"] == "restriction"
    assert payload["restriction"]["purposes"] == ["analytics_tracking"]
    assert payload["restriction"]["erase"] is True
    assert payload["restriction"]["scope"] == "partial"
    rows = {p.processor_id: (p.status, p.last_error) for p in Propagation.objects.filter(request=request)}
    assert rows[provider.opendsr.pk] == ("sent", ""), rows
    body = provider.bodies("/v1/requests")[0]
    assert body["subject_request_type"] == "erasure"  # the closest OpenDSR 2.0 type
    extension = body["extensions"][provider.opendsr.domain]["restriction"]
    assert extension["kind"] == "stop_use" and extension["scope_note"] == "アクセス解析のみ"
    # both providers confirm (signed callbacks) within 48 hours: the request completes
    within = replied_at + timedelta(hours=47)
    with time_machine.travel(within, tick=False):
        row = Propagation.objects.get(request=request, processor=provider.hook)
        cb = json.dumps({"id": str(row.public_id), "status": "completed"}).encode()
        response = client.post(reverse("fulfilment-callback", args=[provider.hook.pk]), data=cb,
                               content_type="application/json",
                               headers={webhook.SIGNATURE_HEADER: webhook.sign(SECRET, cb)})
        assert response.status_code == 200
        row = Propagation.objects.get(request=request, processor=provider.opendsr)
        url = reverse("fulfilment-callback", args=[provider.opendsr.pk])
        cb, headers = provider.opendsr_callback(row, "completed",
                                                callback_url=settings.SITE_URL.rstrip("/") + url)
        response = client.post(url, data=cb, content_type="application/json",
                               headers={k: v for k, v in headers.items() if k != "Content-Type"})
        assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.completed_at <= request.effective_due_at


def test_appi35_partial_acceptance_and_substitute_measure_are_recorded_and_told(alice, officer, run):
    request = run(file_stop, alice)
    run(restrictions.restriction_decide, request=request, actor=officer, scope="partial",
        scope_note="月1回の重要なお知らせを除く", substitute_measure="配信頻度を減らす",
        substitute_reason="契約上の通知義務があるため")
    run(transitions.request_reply, request=request, actor=officer, text="一部停止します。")
    restriction = ProcessingRestriction.objects.get(user=alice)
    assert restriction.scope == "partial"
    assert restriction.substitute_measure == "配信頻度を減らす"
    assert restriction.substitute_reason == "契約上の通知義務があるため"
    text = email_text(request, "request_replied")
    assert "配信頻度を減らす" in text and "契約上の通知義務があるため" in text


@pytest.mark.parametrize("fields, field", [
    ({"scope": "most"}, "scope"),
    ({"scope": "partial", "scope_note": ""}, "scope_note"),
    ({"scope": "full", "substitute_measure": "代替措置"}, "substitute_reason"),
])
def test_appi35_bad_decision_is_refused_and_nothing_recorded(alice, officer, fields, field):
    request = file_stop(alice)
    before = RequestEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        restrictions.restriction_decide(request=request, actor=officer, **fields)
    assert field in caught.value.details
    assert RequestEvent.objects.count() == before


def test_appi35_decision_after_the_reply_is_a_conflict(alice, officer, run):
    request = run(file_stop, alice)
    run(transitions.request_reply, request=request, actor=officer, text="停止します。")
    with pytest.raises(ConflictError):
        restrictions.restriction_decide(request=request, actor=officer, scope="full")


def test_appi35_restriction_rows_are_append_only(alice, officer, run):
    from tests.conftest import assert_append_only

    request = run(file_stop, alice)
    run(transitions.request_reply, request=request, actor=officer, text="停止します。")
    row = ProcessingRestriction.objects.get(user=alice)
    rows = ProcessingRestriction.objects.filter(pk=row.pk)
    assert_append_only(row, update=(rows, {"purpose": "analytics_tracking"}), delete=rows)


@pytest.mark.parametrize("type, details, field", [
    ("stop_use", {"grounds": ["no_longer_needed"]}, "purposes"),
    ("stop_use", {"purposes": [], "grounds": ["no_longer_needed"]}, "purposes"),
    ("stop_use", {"purposes": ["marketing_email"], "grounds": ["because"]}, "grounds"),
    ("stop_use", {"purposes": ["marketing_email"]}, "grounds"),
    ("stop_use", {"purposes": ["no_such_purpose"], "grounds": ["after_leak"]}, "purposes"),
    ("stop_provision", {"grounds": ["after_leak"]}, "recipients"),
    ("stop_provision", {"recipients": [""], "grounds": ["after_leak"]}, "recipients"),
    ("disclosure", {"method": "fax"}, "method"),
])
def test_appi35_appi33_bad_filing_in_the_api_is_a_400_and_nothing_changes(
        alice, client, type, details, field):
    client.force_login(alice)
    counts = (DataSubjectRequest.objects.count(), RequestEvent.objects.count(),
              OutboundEmail.objects.count())
    response = client.post(reverse("api-requests"), data={"type": type, "details": details,
                                                          "password": "correct-horse-battery-42"},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == 400 and body["code"] == "invalid_details"
    assert field in body["errors"]["details"]
    assert (DataSubjectRequest.objects.count(), RequestEvent.objects.count(),
            OutboundEmail.objects.count()) == counts


def test_appi35_portal_form_without_purpose_shows_a_form_error_and_files_nothing(alice, client):
    client.force_login(alice)
    response = client.post(reverse("requests:new_of_type", args=["stop_use"]),
                           data={"grounds": ["after_leak"]})
    assert response.status_code == 200
    assert response.context["form"].errors["purposes"]
    assert DataSubjectRequest.objects.count() == 0


def test_appi35_portal_form_files_a_stop_of_use_with_the_labels_shown(alice, client):
    client.force_login(alice)
    response = client.post(reverse("requests:new_of_type", args=["stop_use"]),
                           data={"purposes": ["testimonial_publication"],
                                 "grounds": ["no_longer_needed", "harms_rights"]})
    assert response.status_code == 302
    request = DataSubjectRequest.objects.get(subject=alice)
    assert request.details["purposes"] == ["testimonial_publication"]
    page = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "称賛の声の公開" in page and "testimonial_publication" not in page
