"""A campaign batch whose worker is SIGKILLed between the ESP call and the status write, then
redone, sends nobody twice (real Redis, real Celery workers, the fake Postmark server counting
messages per recipient); the provider's delivery events then settle the rows."""

import base64
import json
import os
import signal
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from ccucaas_privacy import clock
from fakes.postmark import TOKEN, FakePostmark, delivery_event
from notifications_app.models import Campaign, OutboundEmail, Status
from notifications_app.tasks import campaign_batch, sweep_outbox
from tests.conftest import wait_for
from tests.notifications_app.campaign_helpers import publish, users_in

pytestmark = [pytest.mark.services,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AUTH = "Basic " + base64.b64encode(b"anymail-test:webhook-secret").decode()


@pytest.fixture
def postmark_worker(live_worker, settings):
    from notifications_app.esp import postmark_templates_forget

    postmark_templates_forget()
    server = FakePostmark().start()
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": server.url,
                        "POSTMARK_SERVER_TOKEN": TOKEN}
    live_worker.stop()
    live_worker.env = {**live_worker.env,
                       "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
                       "ANYMAIL_POSTMARK_API_URL": server.url,
                       "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
                       "CAMPAIGNS_BATCH_SIZE": "1000"}
    live_worker.server = server
    yield live_worker.start()
    server.stop()


def test_p25_a_batch_redone_after_sigkill_between_esp_call_and_status_write_sends_nobody_twice(
        postmark_worker):
    server = postmark_worker.server
    crowd = users_in(40, "kill", "ja")
    server.hold.set()  # the ESP accepts and records, then its answer never comes
    version = publish(days=31)
    campaign = Campaign.objects.get(policy_version=version)
    rows = OutboundEmail.objects.filter(cause=campaign.cause)
    wait_for(lambda: server.accepted() == len(crowd), timeout=60,
             what="the ESP to accept every message of the batch")
    os.killpg(postmark_worker.process.pid, signal.SIGKILL)  # mid-call: no status written
    postmark_worker.process.wait(timeout=10)
    assert set(rows.values_list("status", flat=True)) == {Status.SENDING}
    assert not rows.filter(submitted_at__isnull=True).exists()

    server.hold.clear()
    server.release.set()
    postmark_worker.start()
    last = max(u.pk for u in crowd)
    campaign_batch.delay(campaign.pk, 0, last).get(timeout=60)  # the batch, redone
    later = clock.now() + timedelta(minutes=15)  # past the stale-sending threshold
    with time_machine.travel(later, tick=False):
        sweep_outbox.apply().get()
    assert set(server.per_recipient.values()) == {1}, server.per_recipient
    assert set(server.per_recipient) == {u.email for u in crowd}
    assert set(rows.values_list("status", flat=True)) == {Status.FAILED}  # unconfirmed
    assert rows.filter(needs_staff_attention=True).count() == len(crowd)

    # Postmark's delivery events (matched by our metadata) settle every row as sent.
    for message in server.messages:
        payload = delivery_event(message_id=message["MessageID"], recipient=message["To"],
                                 metadata=message["Metadata"])
        response = Client().post("/anymail/postmark/tracking/", data=json.dumps(payload),
                                 content_type="application/json", HTTP_AUTHORIZATION=AUTH)
        assert response.status_code == 200
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert not rows.filter(needs_staff_attention=True).exists()
    assert set(server.per_recipient.values()) == {1}
