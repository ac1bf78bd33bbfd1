"""Issue 24: OpenDSR 2.0 as the specification says (RULES P14, P21), against a processor written
only from the specification (fake_opendsr_processor.py) on 127.0.0.1 over real HTTP: each row of
the issue's table is fixed, and a refusal changes nothing."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from ccucaas_privacy.errors import DomainError
from notifications_app.models import OutboundEmail
from requests_app.models import Processor, Propagation, Status
from requests_app.services import fulfilment, propagation
from requests_app.services.processors import processor_save, processors_certificate_watch
from tests.requests_app.fake_opendsr_processor import OpenDSRProcessor, certificate_for
from tests.requests_app.fulfilment_data import (
    EMAIL,
    correction_replied,
    deletion_replied,
    scan,
)

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P14")]


@pytest.fixture(autouse=True)
def _env(settings, file_dirs):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True  # the fake processor is on 127.0.0.1


@pytest.fixture
def fake():
    with OpenDSRProcessor() as processor:
        yield processor


def _save(fake, officer, **fields) -> Processor:
    return processor_save(processor=Processor(
        name=fields.pop("name", "Analytics Co"), purpose="analytics", country="US",
        connector="opendsr", endpoint_url=fake.base_url, **fields), actor=officer)


@pytest.fixture
def processor(fake, officer):
    return _save(fake, officer)


def _post_callback(client, processor, body, headers):
    return client.post(reverse("fulfilment-callback", args=[processor.pk]), data=body,
                       content_type="application/json",
                       headers={k: v for k, v in headers.items() if k != "Content-Type"})


def _snapshot():
    return list(Propagation.objects.order_by("pk").values_list(
        "status", "confirmed_at", "result", "attempts", "next_attempt_at"))


# --- rows 1, 2, 7: the request a strict processor accepts ----------------------------------

def test_p14_row1_row2_request_has_regulation_and_the_subjects_submission_time(
        run, make_user, officer, fake, processor):
    request = deletion_replied(run, make_user, officer)
    [body] = fake.bodies()
    row = Propagation.objects.get(processor=processor)
    assert row.status == "sent"  # the strict processor answered 201
    assert body["regulation"] == django_settings.OPENDSR["DEFAULT_REGULATION"] == "gdpr"
    assert body["subject_request_type"] == "erasure"
    assert body["subject_identities"] == [{"identity_type": "email", "identity_format": "raw",
                                           "identity_value": EMAIL}]
    submitted = datetime.fromisoformat(body["submitted_time"].replace("Z", "+00:00"))
    assert submitted == request.received_at != request.replied_at
    assert body["status_callback_urls"] == [
        django_settings.SITE_URL.rstrip("/") + reverse("fulfilment-callback", args=[processor.pk])]


def test_p14_row1_regulation_is_per_processor_and_checked_against_its_discovery(officer, fake):
    fake.supported_regulations = ["gdpr", "appi"]
    saved = _save(fake, officer, regulation="appi")
    assert saved.discovery["supported_regulations"] == ["gdpr", "appi"]
    with pytest.raises(DomainError) as refused:
        _save(fake, officer, name="Other Co", regulation="ccpa")
    assert "regulation" in refused.value.details
    assert list(Processor.objects.values_list("name", flat=True)) == ["Analytics Co"]


def test_p14_row7_discovery_is_read_at_save_and_a_wrong_version_or_certificate_is_refused(
        officer, fake):
    saved = _save(fake, officer)
    assert [r["path"] for r in fake.received] == ["/v2/discovery", "/v2/cert.pem"]
    assert saved.discovery["supported_subject_request_types"] == ["erasure", "access"]
    assert saved.certificate_pem == fake.certificate_pem and saved.certificate_expires_at
    fake.api_version = "1.0"
    with pytest.raises(DomainError, match="api_version"):
        _save(fake, officer, name="Old API Co")
    fake.api_version = "2.0"
    _key, fake.certificate_pem = certificate_for("processor.other.example")
    with pytest.raises(DomainError, match="domain"):
        _save(fake, officer, name="Wrong Cert Co")
    assert Processor.objects.count() == 1


def test_p14_row7_discovery_is_cached_with_its_validity_and_types_are_checked(
        run, make_user, officer, fake):
    fake.supported_types = ["access"]  # no erasure
    processor = _save(fake, officer)
    deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    assert fake.bodies() == []  # nothing sent the processor does not support
    assert row.status == "failed" and row.next_attempt_at is None
    assert "does not support erasure" in row.last_error
    gets = [r["path"] for r in fake.received if r["path"].endswith("/discovery")]
    assert gets == ["/v2/discovery"]  # read at save, still valid before sending


# --- row 3: corrections ------------------------------------------------------------------

def test_p14_row3_a_correction_without_a_documented_extension_is_a_staff_task(
        run, make_user, officer, fake, processor):
    request = correction_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    assert fake.bodies() == []  # no "rectification" type is ever sent
    assert row.manual and row.status == "sent" and row.result["awaiting"] == "staff confirmation"
    propagation.propagation_confirm_manual(propagation=row, actor=officer,
                                          note="Changed in the Analytics Co console")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_p14_row3_a_correction_goes_as_the_processors_documented_extension(
        run, make_user, officer, fake):
    processor = _save(fake, officer, correction_request_type="access",
                      correction_extension_key="corrections")
    correction_replied(run, make_user, officer)
    [body] = fake.bodies()
    assert body["subject_request_type"] == "access"
    assert body["extensions"] == {"127.0.0.1": {"corrections": {"last_name": "Suzuki"}}}
    assert Propagation.objects.get(processor=processor).status == "sent"


# --- rows 4, 5: the processor's answer ---------------------------------------------------

def test_p14_row4_nothing_of_encoded_request_is_stored(run, make_user, officer, fake, processor):
    deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    assert row.status == "sent" and "encoded_request" not in row.result
    encoded = base64.b64encode(fake.received[-1]["body"]).decode()
    assert row.result["received_time"] and row.result["controller_id"] == fake.controller_id
    assert scan(markers=(encoded[:40], encoded[-40:])) == {}


def test_p14_row5_a_201_with_a_corrupted_signature_is_not_accepted(
        run, make_user, officer, fake, processor):
    fake.corrupt_signature = True
    deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    assert len(fake.bodies()) == 1
    assert row.status == "failed" and row.sent_at is None and row.result == {}
    assert row.last_error == "the answer's signature does not verify"
    assert row.next_attempt_at is not None  # transient: retried with backoff


# --- row 6: callbacks --------------------------------------------------------------------

def test_p14_row6_expired_certificate_missing_domain_or_foreign_callback_url_get_403(
        run, make_user, officer, client, fake, processor):
    request = deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    request_id = str(row.public_id)
    before = _snapshot()
    body, headers = fake.callback(request_id, omit_domain=True)
    assert _post_callback(client, processor, body, headers).status_code == 403
    body, headers = fake.callback(request_id, domain="processor.other.example")
    assert _post_callback(client, processor, body, headers).status_code == 403
    body, headers = fake.callback(request_id,
                                  callback_url="https://other-controller.example/callbacks")
    assert _post_callback(client, processor, body, headers).status_code == 403
    # The processor's certificate has expired (same key): its callbacks no longer verify.
    now = datetime.now(UTC)
    _key, expired = certificate_for(key=fake.key, not_before=now - timedelta(days=400),
                                    not_after=now - timedelta(days=1))
    Processor.objects.filter(pk=processor.pk).update(certificate_pem=expired)
    body, headers = fake.callback(request_id)
    response = _post_callback(client, processor, body, headers)
    assert response.status_code == 403 and response.json()["code"] == "bad_signature"
    assert _snapshot() == before
    request.refresh_from_db()
    assert request.status == Status.REPLIED
    Processor.objects.filter(pk=processor.pk).update(certificate_pem=fake.certificate_pem)
    assert _post_callback(client, processor, *fake.callback(request_id)).status_code == 200
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


# --- row 8: permanent and transient errors --------------------------------------------------

@pytest.mark.parametrize("status", [400, 422])
def test_p14_row8_a_permanent_refusal_fails_at_once_and_alerts_staff(
        run, make_user, officer, fake, processor, status):
    fake.answer_status = status
    request = deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    assert row.status == "failed" and row.next_attempt_at is None and row.attempts == 1
    assert row.last_error.startswith(f"HTTP {status} ")
    assert "forced answer" not in row.last_error  # the answer's body is never kept
    alert = OutboundEmail.objects.get(kind="staff_processor_alert")
    assert alert.recipient_email == officer.email
    run(fulfilment.fulfilment_sweep, now=row.created_at + timedelta(hours=47))
    assert len(fake.bodies()) == 1  # never retried
    processor.refresh_from_db()
    assert processor.last_error == row.last_error
    assert request.propagations.get(pk=row.pk).status == "failed"


@pytest.mark.parametrize("status", [408, 429, 503])
def test_p14_row8_a_transient_error_keeps_the_backoff(run, make_user, officer, fake, processor,
                                                      status):
    fake.answer_status = status
    deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    assert row.status == "failed" and row.next_attempt_at > row.created_at
    assert not OutboundEmail.objects.filter(kind="staff_processor_alert").exists()
    fake.answer_status = None
    run(fulfilment.fulfilment_sweep, now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2


# --- status and cancellation endpoints, the admin page, certificate expiry -------------------

def test_p14_status_and_cancellation_are_read_from_signed_answers(
        run, make_user, officer, fake, processor):
    from requests_app.connectors import connector_for

    deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=processor)
    processor.refresh_from_db()
    connector = connector_for(processor)
    assert connector.status(str(row.public_id))["request_status"] == "pending"
    assert connector.cancel(str(row.public_id))["subject_request_id"] == str(row.public_id)
    assert connector.status(str(row.public_id))["request_status"] == "cancelled"


def test_p14_admin_shows_discovery_certificate_expiry_and_last_error(
        client, officer, fake, processor, staff_sign_in):
    Processor.objects.filter(pk=processor.pk).update(last_error="HTTP 422 Unprocessable Content")
    staff_sign_in(client, officer)
    page = client.get(reverse("admin:requests_app_processor_change", args=[processor.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "API 2.0; erasure, access; email/raw, email/sha256" in text
    assert "HTTP 422 Unprocessable Content" in text
    assert str(processor.certificate_expires_at.year) in text


def test_p14_a_certificate_expiring_within_30_days_alerts_staff_once(officer):
    _key, pem = certificate_for("127.0.0.1")
    soon = datetime.now(UTC) + timedelta(days=20)
    processor = Processor.objects.create(name="Expiring Co", purpose="analytics", country="US",
                                         connector="opendsr", endpoint_url="https://127.0.0.1/v2",
                                         certificate_pem=pem, certificate_expires_at=soon)
    assert processors_certificate_watch() == 1
    assert processors_certificate_watch() == 0
    [alert] = OutboundEmail.objects.filter(kind="staff_processor_alert")
    assert "Expiring Co" in json.dumps(alert.context, ensure_ascii=False)
    processor.refresh_from_db()
    assert processor.certificate_warned_for == soon
