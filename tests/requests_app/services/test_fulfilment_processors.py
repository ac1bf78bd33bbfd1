"""Service providers (RULES P14, P21; DESIGN section 6): OpenDSR 2.0 and signed-webhook
connectors against a fake provider on 127.0.0.1 (real HTTP, real signatures), retries after a
503, manual confirmation; forged, replayed, unknown or badly signed callbacks get 4xx and change
nothing; the request completes only when every provider confirmed."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from requests_app.connectors import webhook
from requests_app.models import Processor, Propagation, Status
from requests_app.services import fulfilment, propagation
from tests.requests_app.fake_processor import FakeProcessor, opendsr_sign, rsa_key_and_certificate
from tests.requests_app.fulfilment_data import EMAIL, deletion_replied

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]
SECRET = "webhook-test-secret-0123456789-of-32-bytes"  # issue 17: at least 32 bytes


@pytest.fixture
def provider(monkeypatch, settings):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True  # the fake provider is on 127.0.0.1
    monkeypatch.setenv("PROCESSOR_SECRET_TEST_WEBHOOK", SECRET)
    with FakeProcessor(webhook_secret=SECRET) as fake:
        # OpenDSR: the certificate comes from the processor's discovery (issue 24).
        fake.opendsr = Processor.objects.create(
            name="Analytics Co", purpose="analytics", country="US", connector="opendsr",
            endpoint_url=fake.opendsr_url)
        fake.hook = Processor.objects.create(
            name="Storage Co", purpose="storage", country="SG", connector="webhook",
            endpoint_url=f"{fake.url}/hook", secret_env="PROCESSOR_SECRET_TEST_WEBHOOK")
        fake.manual = Processor.objects.create(name="Payments KK", purpose="payment",
                                               country="JP", connector="manual")
        yield fake


@pytest.fixture
def replied_deletion(make_user, officer, run, provider):
    return deletion_replied(run, make_user, officer)


def _opendsr_callback(client, provider, propagation, status="completed", key=None):
    """A §8.6 callback (issue 24: with status_callback_url and the processor-domain header)."""
    url = reverse("fulfilment-callback", args=[provider.opendsr.pk])
    body, headers = provider.opendsr_callback(propagation, status, key=key,
                                              callback_url=settings.SITE_URL.rstrip("/") + url)
    return client.post(url, data=body, content_type="application/json",
                       headers={k: v for k, v in headers.items() if k != "Content-Type"})


def _webhook_callback(client, provider, propagation, *, secret=SECRET, timestamp=None):
    body = json.dumps({"id": str(propagation.public_id), "status": "completed"}).encode()
    return client.post(reverse("fulfilment-callback", args=[provider.hook.pk]), data=body,
                       content_type="application/json",
                       headers={webhook.SIGNATURE_HEADER: webhook.sign(secret, body, timestamp)})


def test_p14_opendsr_request_has_the_2_0_wire_format(replied_deletion, provider):
    body = provider.bodies("/v1/requests")[0]
    propagation = Propagation.objects.get(processor=provider.opendsr)
    assert body["subject_request_id"] == str(propagation.public_id)
    assert body["subject_request_type"] == "erasure"
    assert body["subject_identities"] == [{"identity_type": "email", "identity_format": "raw",
                                           "identity_value": EMAIL}]
    assert body["submitted_time"] and body["api_version"] == "2.0"
    assert body["status_callback_urls"][0].endswith(
        reverse("fulfilment-callback", args=[provider.opendsr.pk]))
    assert propagation.status == "sent"


def test_p14_webhook_is_signed_and_carries_an_idempotency_key(replied_deletion, provider):
    hook = next(r for r in provider.received if r["path"] == "/hook")
    webhook.verify(SECRET, hook["body"], hook["headers"][webhook.SIGNATURE_HEADER])
    propagation = Propagation.objects.get(processor=provider.hook)
    assert hook["headers"]["Idempotency-Key"] == str(propagation.public_id)
    assert json.loads(hook["body"])["type"] == "erasure"


def test_p21_request_completes_only_when_every_provider_confirmed(replied_deletion, provider,
                                                                  client, officer):
    request = replied_deletion
    assert request.status == Status.REPLIED  # internal sources done, providers not yet
    rows = {p.processor_id: p for p in Propagation.objects.filter(processor__isnull=False)}
    assert _opendsr_callback(client, provider, rows[provider.opendsr.pk]).status_code == 200
    assert _webhook_callback(client, provider, rows[provider.hook.pk]).status_code == 200
    request.refresh_from_db()
    assert request.status == Status.REPLIED
    propagation.propagation_confirm_manual(propagation=rows[provider.manual.pk], actor=officer,
                                          note="Deleted in the Payments KK console, ticket 7")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert set(Propagation.objects.values_list("status", flat=True)) == {"confirmed"}


def test_p21_opendsr_is_retried_with_backoff_after_a_503(make_user, officer, run, provider):
    provider.fail_next = 1  # the first POST (OpenDSR comes first) answers 503
    request = deletion_replied(run, make_user, officer)
    failed = Propagation.objects.get(processor=provider.opendsr)
    assert failed.status == "failed" and "503" in failed.last_error
    assert failed.next_attempt_at > clock.now()
    # The account row waits until the provider has the address it must erase.
    assert Propagation.objects.get(request=request, source="profile").status == "pending"

    run(fulfilment.fulfilment_sweep)  # not due yet: nothing sent
    assert len(provider.bodies("/v1/requests")) == 1
    with time_machine.travel(failed.next_attempt_at + timedelta(seconds=1), tick=False):
        run(fulfilment.fulfilment_sweep)
    failed.refresh_from_db()
    assert failed.status == "sent" and failed.attempts == 2
    bodies = provider.bodies("/v1/requests")
    assert len(bodies) == 2 and bodies[1]["subject_request_id"] == bodies[0]["subject_request_id"]
    assert bodies[1]["subject_identities"][0]["identity_value"] == EMAIL
    assert Propagation.objects.get(request=request, source="profile").status == "confirmed"


def test_p21_webhook_is_retried_after_a_503(make_user, officer, run, provider):
    provider.opendsr.active = False
    provider.opendsr.save()
    provider.fail_next = 1
    deletion_replied(run, make_user, officer)
    row = Propagation.objects.get(processor=provider.hook)
    assert row.status == "failed"
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        run(fulfilment.fulfilment_sweep)
    row.refresh_from_db()
    assert row.status == "sent"


def _snapshot():
    return list(Propagation.objects.order_by("pk").values_list("status", "confirmed_at", "result"))


def test_p14_bad_forged_unknown_or_replayed_callbacks_get_4xx_and_change_nothing(
        replied_deletion, provider, client):
    row = Propagation.objects.get(processor=provider.opendsr)
    hook_row = Propagation.objects.get(processor=provider.hook)
    before = _snapshot()
    other_key, _cert = rsa_key_and_certificate("forger.test")
    assert _opendsr_callback(client, provider, row, key=other_key).status_code == 403
    body = json.dumps({"subject_request_id": str(row.public_id), "request_status": "completed"}).encode()
    url = reverse("fulfilment-callback", args=[provider.opendsr.pk])
    assert client.post(url, data=body, content_type="application/json",
                       headers={"X-OpenDSR-Signature": "bm90LWEtc2lnbmF0dXJl"}).status_code == 403
    assert client.post(url, data=body, content_type="application/json").status_code == 403
    # Signed by the right key but the body was altered afterwards.
    signature = opendsr_sign(provider.key, body)
    assert client.post(url, data=body.replace(b"completed", b"completed "),
                       content_type="application/json",
                       headers={"X-OpenDSR-Signature": signature}).status_code == 403
    unknown = Propagation(public_id="00000000-0000-4000-8000-000000000000")
    assert _opendsr_callback(client, provider, unknown).status_code == 404
    # The webhook provider's id under the OpenDSR provider's URL is unknown there.
    assert _opendsr_callback(client, provider, hook_row).status_code == 404
    assert _webhook_callback(client, provider, hook_row, secret="wrong").status_code == 403
    stale = int(clock.now().timestamp()) - 3600
    assert _webhook_callback(client, provider, hook_row, timestamp=stale).status_code == 403
    assert client.post(reverse("fulfilment-callback", args=[99999]), data=body,
                       content_type="application/json").status_code == 404
    assert client.get(url).status_code == 405
    assert _snapshot() == before

    assert _opendsr_callback(client, provider, row).status_code == 200
    after_first = _snapshot()
    assert _opendsr_callback(client, provider, row).status_code == 409  # replay
    assert _snapshot() == after_first


def test_manual_confirmation_needs_a_note_and_a_manual_provider(replied_deletion, provider, officer):
    manual = Propagation.objects.get(processor=provider.manual)
    with pytest.raises(DomainError):
        propagation.propagation_confirm_manual(propagation=manual, actor=officer, note=" ")
    opendsr = Propagation.objects.get(processor=provider.opendsr)
    with pytest.raises(ConflictError):
        propagation.propagation_confirm_manual(propagation=opendsr, actor=officer, note="done")
    assert manual.request.events.filter(action="propagation_confirm_manual").count() == 0


def test_a_providers_endpoint_typed_without_a_scheme_is_saved_as_https(rf, monkeypatch):
    from django.contrib.admin.sites import site

    from requests_app.admin_fulfilment import ProcessorAdmin

    monkeypatch.setenv("PROCESSOR_SECRET_MAILER", SECRET)  # issue 17: webhooks need a secret
    form_class = ProcessorAdmin(Processor, site).get_form(rf.get("/"))
    form = form_class(data={"name": "Mailer", "purpose": Processor._meta.get_field(
        "purpose").choices[0][0], "country": "US", "connector": "webhook",
        "endpoint_url": "dsr.mailer.example/hooks", "secret_env": "PROCESSOR_SECRET_MAILER",
        "active": True})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["endpoint_url"] == "https://dsr.mailer.example/hooks"
