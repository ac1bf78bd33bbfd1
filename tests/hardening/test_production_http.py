"""Production over real HTTP (issue 17 rows 4 and 12; P25, P18): gunicorn serving the production
settings. A forged delivery event POSTed to the tracking webhook without anymail's basic-auth
WEBHOOK_SECRET (or with a wrong one) is refused and changes no outbox row; the API answers JSON
only (no browsable API).

The Postmark payloads follow Postmark's published webhook documentation ("Bounce webhook",
postmarkapp.com/developer/webhooks/bounce-webhook); the basic auth follows anymail's
"Securing webhooks" (anymail.dev/en/stable/tips/securing_webhooks/): the ESP sends the
WEBHOOK_SECRET "user:password" as HTTP Basic credentials.
"""

import base64

import pytest
import requests

from notifications_app.models import OutboundEmail, TrackingStatus
from notifications_app.services.outbox import notification_queue
from tests.conftest import subprocess_env
from tests.hardening.services import AppServer
from tests.hardening.test_deploy import PRODUCTION_ENV

pytestmark = [pytest.mark.rule("P25"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WEBHOOK_SECRET = PRODUCTION_ENV["ANYMAIL_WEBHOOK_SECRET"]
WEBHOOK = "/anymail/postmark/tracking/"


@pytest.fixture
def production_server(tmp_path):
    env = subprocess_env(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": "127.0.0.1"},
                         DJANGO_SETTINGS_MODULE="tests.hardening.production_settings",
                         SECURE_SSL_REDIRECT="false", EMAIL_TRACKING_ESP="postmark")
    server = AppServer(tmp_path, env, workers=2).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def notice(make_user, django_capture_on_commit_callbacks):
    user = make_user("bounce-target", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        row = notification_queue(kind="administrative_notice", cause="policy-v2", user=user,
                                 context={"title": "Policy revision", "body": "Effective soon."})
    row.refresh_from_db()
    return row


def _forged_bounce(row: OutboundEmail) -> dict:
    # The public id is in every Message-ID (<public_id@host>): all an attacker needs.
    return {"RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1, "ID": 4323372036854775807,
            "MessageID": "00000000-0000-0000-0000-000000000000", "Email": row.recipient_email,
            "BouncedAt": "2026-11-29T01:00:00Z", "Description": "forged", "Details": "forged",
            "Metadata": {"outbound_email": str(row.public_id)}, "Inactive": True,
            "CanActivate": True, "ServerID": 23, "MessageStream": "outbound", "Tag": ""}


def _basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def _snapshot(row: OutboundEmail) -> tuple:
    row.refresh_from_db()
    return row.tracking_status, row.tracking_detail, row.tracked_at, row.needs_staff_attention


@pytest.mark.services
def test_p25_forged_tracking_events_without_the_webhook_secret_are_refused(production_server,
                                                                           notice):
    before = _snapshot(notice)
    assert before[0] == "" and before[3] is False
    user = WEBHOOK_SECRET.split(":")[0]
    for headers in ({}, {"Authorization": _basic(f"{user}:wrong-password")},
                    {"Authorization": _basic("anymail-test:webhook-secret")}):
        response = requests.post(production_server.url + WEBHOOK, json=_forged_bounce(notice),
                                 headers=headers, timeout=30)
        assert response.status_code == 400, (headers, response.status_code)
        assert _snapshot(notice) == before
    # The ESP, which knows the secret, is still heard: the same event now counts.
    genuine = requests.post(production_server.url + WEBHOOK, json=_forged_bounce(notice),
                            headers={"Authorization": _basic(WEBHOOK_SECRET)}, timeout=30)
    assert genuine.status_code == 200, genuine.text[:500]
    assert _snapshot(notice)[0] == TrackingStatus.BOUNCED


@pytest.mark.services
@pytest.mark.rule("P18")
def test_p18_production_api_is_json_only_no_browsable_api(production_server, client):
    url = "/api/v1/accounts/me/"
    html = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    # In development (the test settings) a browser gets DRF's browsable HTML page.
    assert client.get(url, headers=html)["Content-Type"].startswith("text/html")
    for response in (requests.get(production_server.url + url, headers=html, timeout=30),
                     requests.get(production_server.url + url + "?format=api", timeout=30)):
        assert response.headers["Content-Type"].startswith("application/json"), response.text[:300]
        assert "<html" not in response.text.lower()
    assert requests.get(production_server.url + url, headers=html, timeout=30).status_code in (
        401, 403)
