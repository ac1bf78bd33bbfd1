"""Issue 17 rows 2, 5 and 11 (RULES P14, P18): service providers cannot reach inside, a webhook
needs a real secret, a signed callback that is not a JSON object is a 400. Each attack is
repeated as found, against a real listener on 127.0.0.1, and changes nothing. Plus the 48-hour
walk of issue 24: a deletion and a correction through OpenDSR, webhook and manual providers."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.urls import reverse

from accounts_app.models import StaffAccess
from ccucaas_privacy.errors import DomainError
from requests_app.connectors import webhook
from requests_app.models import Processor, Propagation, Status
from requests_app.services import filing, fulfilment, propagation, transitions
from requests_app.services.processors import processor_save
from tests.ccucaas_privacy.test_settings import run_django_check
from tests.hardening.test_deploy import PRODUCTION_ENV
from tests.requests_app.fake_opendsr_processor import OpenDSRProcessor
from tests.requests_app.fake_processor import FakeProcessor
from tests.requests_app.fulfilment_data import correction_replied, rich_user

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P14"), pytest.mark.usefixtures("file_dirs")]
SECRET = "a-webhook-secret-of-at-least-32-bytes-long"


class Listener:
    """What an attacker runs on 127.0.0.1: records everything, answers `status` with a body
    full of internal detail, or redirects to `location`."""

    def __init__(self, status: int = 200, location: str = "") -> None:
        self.hits: list[dict] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                listener.hits.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body})
                data = b"internal: postgres://postgres@10.0.0.5/prod stack trace ..."
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _add_form(**fields) -> dict:
    return {"name": "Steal Co", "purpose": "other", "country": "US", "connector": "webhook",
            "endpoint_url": "", "secret_env": "", "regulation": "", "correction_request_type": "",
            "correction_extension_key": "", "active": "on", **fields}


# --- row 2: providers cannot reach inside ----------------------------------------------------

def test_p18_row2_an_officer_cannot_save_a_loopback_endpoint_or_read_any_variable(
        client, privacy_officer, staff_sign_in, listener, run, make_user, officer):
    staff_sign_in(client, privacy_officer)
    add = reverse("admin:requests_app_processor_add")
    response = client.post(add, _add_form(endpoint_url=f"{listener.url}/steal",
                                          secret_env="DATABASE_URL"))
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert "endpoint_url" in errors and "secret_env" in errors
    for url in ("https://169.254.169.254/latest/meta-data/", "https://[::1]/x",
                "https://10.1.2.3/hook", "https://metadata.google.internal/",
                "https://localhost/hook"):
        response = client.post(add, _add_form(endpoint_url=url, secret_env="PROCESSOR_SECRET_X"))
        assert "endpoint_url" in response.context["adminform"].form.errors, url
    assert not Processor.objects.exists()
    correction_replied(run, make_user, officer)
    assert listener.hits == []


def test_p18_row2_an_address_is_checked_again_at_send_time(run, make_user, officer, listener,
                                                           monkeypatch):
    """A row that bypassed validation (written directly) still cannot reach 127.0.0.1."""
    monkeypatch.setenv("PROCESSOR_SECRET_HOOK", SECRET)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1/secret")
    Processor.objects.create(name="Steal Co", purpose="other", country="US",
                             connector="webhook", endpoint_url=f"{listener.url}/steal",
                             secret_env="PROCESSOR_SECRET_HOOK")
    request = correction_replied(run, make_user, officer)
    row = request.propagations.get(processor__name="Steal Co")
    assert listener.hits == []
    assert row.status == "failed" and row.next_attempt_at is None
    assert row.last_error.startswith("address refused")
    Processor.objects.filter(name="Steal Co").update(secret_env="DATABASE_URL")
    Propagation.objects.filter(pk=row.pk).update(status="pending", next_attempt_at=None)
    propagation.propagation_run(propagation_id=row.pk)
    row.refresh_from_db()
    assert "PROCESSOR_SECRET_" in row.last_error and listener.hits == []


def test_p18_row2_redirects_are_not_followed_and_answers_are_not_stored(
        settings, run, make_user, officer, listener, monkeypatch):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True  # reach the test's servers on 127.0.0.1
    monkeypatch.setenv("PROCESSOR_SECRET_HOOK", SECRET)
    redirector = Listener(status=302, location=f"{listener.url}/inside")
    failing = Listener(status=500)
    try:
        for name, server in (("Redirect Co", redirector), ("Failing Co", failing)):
            Processor.objects.create(name=name, purpose="other", country="US", connector="webhook",
                                     endpoint_url=f"{server.url}/hook",
                                     secret_env="PROCESSOR_SECRET_HOOK")
        request = correction_replied(run, make_user, officer)
    finally:
        redirector.close()
        failing.close()
    assert len(redirector.hits) == 1 and listener.hits == []  # the Location was not followed
    rows = {p.processor.name: p for p in request.propagations.filter(processor__isnull=False)}
    assert rows["Redirect Co"].last_error.startswith("HTTP 302 Found")
    assert rows["Redirect Co"].next_attempt_at is None  # permanent
    assert rows["Failing Co"].last_error == "HTTP 500 Internal Server Error"
    assert Processor.objects.get(name="Failing Co").last_error == "HTTP 500 Internal Server Error"
    dumped = json.dumps(list(Propagation.objects.values()), default=str)
    assert "postgres://" not in dumped and "stack trace" not in dumped


def test_p18_row2_only_privacy_officers_change_processors_and_each_change_is_logged(
        client, support_agent, privacy_officer, staff_sign_in, monkeypatch):
    monkeypatch.setenv("PROCESSOR_SECRET_MAILER", SECRET)
    staff_sign_in(client, support_agent)
    add = reverse("admin:requests_app_processor_add")
    assert client.get(add).status_code == 403
    assert client.post(add, _add_form(endpoint_url="https://dsr.mailer.example/hook",
                                      secret_env="PROCESSOR_SECRET_MAILER")).status_code == 403
    assert not Processor.objects.exists()
    processor = processor_save(processor=Processor(
        name="Mailer", purpose="other", country="US", connector="webhook",
        endpoint_url="https://dsr.mailer.example/hook", secret_env="PROCESSOR_SECRET_MAILER"),
        actor=privacy_officer)
    processor.country = "JP"
    processor_save(processor=processor, actor=privacy_officer)
    entries = StaffAccess.objects.filter(what="processor_change", staff=privacy_officer)
    assert entries.count() == 2
    assert set(entries.values_list("object_ref", flat=True)) == {f"processor:{processor.pk}"}


def test_p18_row2_production_refuses_to_start_with_private_endpoints_allowed():
    result = run_django_check(**PRODUCTION_ENV, FULFILMENT_ALLOW_PRIVATE_ENDPOINTS="1")
    assert result.returncode != 0
    assert "FULFILMENT_ALLOW_PRIVATE_ENDPOINTS" in result.stderr


# --- row 5: a webhook needs a real secret ----------------------------------------------------

def test_p14_row5_a_blank_or_short_webhook_secret_is_refused_and_an_empty_key_forges_nothing(
        client, run, make_user, officer, monkeypatch, settings):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True
    monkeypatch.setenv("PROCESSOR_SECRET_SHORT", "x" * 31)
    for secret_env in ("", "PROCESSOR_SECRET_SHORT", "PROCESSOR_SECRET_UNSET"):
        with pytest.raises(DomainError) as refused:
            processor_save(processor=Processor(
                name="Hook Co", purpose="other", country="US", connector="webhook",
                endpoint_url="https://hooks.example.org/x", secret_env=secret_env), actor=officer)
        assert "secret_env" in refused.value.details
    assert not Processor.objects.exists()
    with FakeProcessor() as fake:  # a row written before the rule: blank secret
        hook = Processor.objects.create(name="Hook Co", purpose="other", country="US",
                                        connector="webhook", endpoint_url=f"{fake.url}/hook")
        request = correction_replied(run, make_user, officer)
    row = request.propagations.get(processor=hook)
    assert fake.bodies("/hook") == []  # never signed with an empty key
    before = list(Propagation.objects.values_list("status", "confirmed_at"))
    body = json.dumps({"id": str(row.public_id), "status": "completed"}).encode()
    response = client.post(reverse("fulfilment-callback", args=[hook.pk]), data=body,
                           content_type="application/json",
                           headers={webhook.SIGNATURE_HEADER: webhook.sign("", body)})
    assert response.status_code == 403
    assert list(Propagation.objects.values_list("status", "confirmed_at")) == before


# --- row 11: a signed callback that is not an object ------------------------------------------

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_p14_row11_a_signed_callback_whose_body_is_not_an_object_is_a_400(
        live_server, settings, run, make_user, officer, monkeypatch):
    import requests

    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True
    monkeypatch.setenv("PROCESSOR_SECRET_HOOK", SECRET)
    with FakeProcessor(webhook_secret=SECRET) as fake:
        hook = Processor.objects.create(name="Hook Co", purpose="other", country="US",
                                        connector="webhook", endpoint_url=f"{fake.url}/hook",
                                        secret_env="PROCESSOR_SECRET_HOOK")
        correction_replied(run, make_user, officer)
    before = list(Propagation.objects.values_list("status", "confirmed_at", "result"))
    url = live_server.url + reverse("fulfilment-callback", args=[hook.pk])
    for body in (b"[]", b'"completed"', b"null", b"{not json"):
        response = requests.post(url, data=body, timeout=10, headers={
            "Content-Type": "application/json", webhook.SIGNATURE_HEADER: webhook.sign(SECRET, body)})
        assert response.status_code == 400, body
        problem = response.json()
        assert problem["status"] == 400 and problem["code"] in ("malformed_callback", "invalid")
        assert {"type", "title", "detail"} <= set(problem)
    assert list(Propagation.objects.values_list("status", "confirmed_at", "result")) == before


# --- issue 24 "done when": the 48-hour walk with three kinds of provider -----------------------

@pytest.mark.rule("P21")
@pytest.mark.parametrize("kind", ["deletion", "correction"])
def test_p21_deletion_and_correction_complete_within_48_hours_through_three_providers(
        kind, client, run, make_user, officer, monkeypatch, settings):
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True
    monkeypatch.setenv("PROCESSOR_SECRET_HOOK", SECRET)
    with OpenDSRProcessor() as dsr, FakeProcessor(webhook_secret=SECRET) as hooks, \
            time_machine.travel(datetime.now(UTC), tick=False) as clock_:
        opendsr = processor_save(processor=Processor(
            name="Analytics Co", purpose="analytics", country="US", connector="opendsr",
            endpoint_url=dsr.base_url, correction_request_type="access",
            correction_extension_key="corrections"), actor=officer)
        hook = processor_save(processor=Processor(
            name="Storage Co", purpose="storage", country="SG", connector="webhook",
            endpoint_url=f"{hooks.url}/hook", secret_env="PROCESSOR_SECRET_HOOK"), actor=officer)
        processor_save(processor=Processor(name="Payments KK", purpose="payment", country="JP",
                                           connector="manual"), actor=officer)
        user = run(rich_user, make_user)
        details = {} if kind == "deletion" else {
            "items": [{"field": "last_name", "requested_value": "Suzuki"}]}
        request, _sent = run(filing.request_file, type=kind, channel="portal", subject=user,
                             details=details)
        if kind == "deletion":
            run(fulfilment.deletion_approve, request=request, actor=officer)
        else:
            run(fulfilment.correction_item_decide, request=request, index=0, accept=True,
                note="ok", actor=officer)
        clock_.shift(timedelta(hours=3))
        request = run(transitions.request_reply, request=request, actor=officer, text="対応します。")
        replied_at = request.replied_at
        rows = {p.processor_id: p for p in request.propagations.filter(processor__isnull=False)}
        clock_.shift(timedelta(hours=20))
        url = reverse("fulfilment-callback", args=[opendsr.pk])
        body, headers = dsr.callback(str(rows[opendsr.pk].public_id))
        assert client.post(url, data=body, content_type="application/json", headers={
            k: v for k, v in headers.items() if k != "Content-Type"}).status_code == 200
        clock_.shift(timedelta(hours=10))
        body = json.dumps({"id": str(rows[hook.pk].public_id), "status": "completed"}).encode()
        assert client.post(reverse("fulfilment-callback", args=[hook.pk]), data=body,
                           content_type="application/json", headers={
                               webhook.SIGNATURE_HEADER: webhook.sign(SECRET, body)}
                           ).status_code == 200
        clock_.shift(timedelta(hours=10))
        manual = next(p for p in rows.values() if p.processor.connector == "manual")
        propagation.propagation_confirm_manual(propagation=manual, actor=officer,
                                              note="Done in the Payments KK console")
        request.refresh_from_db()
    assert dsr.bodies()[0]["subject_request_type"] == ("erasure" if kind == "deletion" else "access")
    assert request.status == Status.COMPLETED
    assert request.completed_at - replied_at <= timedelta(hours=48)
    assert set(request.propagations.values_list("status", flat=True)) <= {"confirmed", "held"}
