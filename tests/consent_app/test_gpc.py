"""Global Privacy Control (P12): parsing per the spec, one recorded withdrawal, gpc.json."""

import json

import pytest
from django.test import override_settings

from consent_app import selectors, services
from consent_app.middleware import gpc_signal
from consent_app.models import ConsentEvent

pytestmark = pytest.mark.django_db

TRACKER = "https://analytics.example/tag.js"


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), (" 1 ", True), ("0, 1", True), ("1,1", True), ("foo,\t1", True),
    (None, False), ("", False), ("0", False), ("true", False), ("1.0", False), ("01", False),
    ("yes", False), ("11", False), ("0,0", False),
])
def test_p12_sec_gpc_must_be_exactly_1_and_any_of_several_values_counts(value, expected):
    assert gpc_signal(value) is expected


def test_p12_gpc_withdraws_analytics_once_with_channel_gpc(client, alice):
    services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
    client.force_login(alice)
    for _ in range(3):
        assert client.get("/", headers={"Sec-GPC": "1"}).status_code == 200
    events = ConsentEvent.objects.filter(user=alice, purpose="analytics_tracking",
                                         channel="gpc")
    assert [e.action for e in events] == ["withdrawn"]
    assert not selectors.consent_is_granted(user=alice, purpose="analytics_tracking")


def test_p12_gpc_is_recorded_once_even_across_sessions(client, alice):
    client.force_login(alice)
    client.get("/", headers={"Sec-GPC": "1"})
    client.logout()
    client.force_login(alice)
    client.get("/", headers={"Sec-GPC": "1"})
    assert ConsentEvent.objects.filter(user=alice, channel="gpc").count() == 1


def test_p12_explicit_grant_after_gpc_is_respected(client, alice):
    client.force_login(alice)
    client.get("/", headers={"Sec-GPC": "1"})
    services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
    client.get("/", headers={"Sec-GPC": "1"})
    assert selectors.consent_is_granted(user=alice, purpose="analytics_tracking")


def test_p12_no_gpc_header_or_wrong_value_changes_nothing(client, alice):
    services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
    client.force_login(alice)
    client.get("/")
    client.get("/", headers={"Sec-GPC": "true"})
    assert selectors.consent_is_granted(user=alice, purpose="analytics_tracking")


def test_p12_anonymous_gpc_request_writes_nothing(client):
    client.get("/", headers={"Sec-GPC": "1"})
    assert not ConsentEvent.objects.exists()


@override_settings(ANALYTICS_SCRIPT_URL=TRACKER)
def test_p12_tracking_tag_only_with_consent_and_without_gpc(client, alice, bob):
    services.consent_grant(user=alice, purpose="analytics_tracking", channel="portal")
    client.force_login(alice)
    assert TRACKER in client.get("/").content.decode()
    client.force_login(bob)  # no consent
    assert TRACKER not in client.get("/").content.decode()
    services.consent_grant(user=bob, purpose="analytics_tracking", channel="portal")
    assert TRACKER in client.get("/").content.decode()
    # GPC suppresses the tag on this very response, for anyone.
    assert TRACKER not in client.get("/", headers={"Sec-GPC": "1"}).content.decode()
    client.logout()
    assert TRACKER not in client.get("/").content.decode()


def test_p12_well_known_gpc_json(client, settings):
    settings.GPC_LAST_UPDATE = "2026-11-29"
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"gpc": True, "lastUpdate": "2026-11-29"}
