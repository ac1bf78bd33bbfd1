"""Staff API of the incident register (issue 22; APPI-26): officers only (the request staff
API's permission classes), the one error shape for bad input with nothing changed, the detail
logged (P18), report items updated and a report marked submitted."""

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts_app.models import StaffAccess
from ccucaas_privacy import clock
from incidents_app.models import Incident
from tests.accounts_app.staff import api_client

pytestmark = [pytest.mark.django_db, pytest.mark.rule("APPI-26")]
ERROR_KEYS = {"type", "title", "status", "code", "detail"}
BODY = {"title": "誤送信", "known_at": "2026-11-29T09:00:00+09:00", "reported_by": "営業部",
        "description": "メールの誤送信", "data_items": ["メールアドレス"], "special_care": True}


def api(user=None) -> APIClient:
    return api_client(user, access_reason="Incident handling")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-29T12:00:00+09:00", tick=False):
        yield


def test_appi26_only_privacy_officers_use_the_incident_api(alice, support_agent):
    for user, expected in ((None, 401), (alice, 403), (support_agent, 403)):
        response = api(user).get("/api/v1/staff/incidents/")
        assert response.status_code == expected
        assert set(response.json()) >= ERROR_KEYS
        assert api(user).post("/api/v1/staff/incidents/", BODY,
                              format="json").status_code == expected
    assert Incident.objects.count() == 0


def test_appi26_officer_creates_fills_and_submits_the_preliminary_report(privacy_officer, alice):
    client = api(privacy_officer)
    created = client.post("/api/v1/staff/incidents/", {**BODY, "affected_users": [alice.pk]},
                          format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["reportable"] is True and data["affected_users"] == [alice.pk]
    assert data["preliminary_due_at"] == "2026-12-03T00:00:00+09:00"
    assert data["final_due_at"] == "2026-12-30T00:00:00+09:00"
    listing = client.get("/api/v1/staff/incidents/").json()["results"]
    assert [row["reference"] for row in listing] == [data["reference"]]
    assert "affected_users" not in listing[0]

    url = f"/api/v1/staff/incidents/{data['id']}/"
    detail = client.get(url)
    assert detail.status_code == 200
    log = StaffAccess.objects.get(staff=privacy_officer)
    assert log.reason == "Incident handling" and data["reference"] in log.object_ref

    report_url = url + "reports/preliminary/"
    incomplete = client.post(report_url + "submit/", {}, format="json")
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "report_incomplete"
    assert client.patch(report_url, {"summary": "誤送信", "people_count": "1"},
                        format="json").status_code == 200
    submitted = client.post(report_url + "submit/", {}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["submitted_at"] == "2026-11-29T12:00:00+09:00"
    assert submitted.json()["submitted_by"] == privacy_officer.username
    assert client.patch(report_url, {"summary": "x"}, format="json").status_code == 409
    items = {i["item"]: i["value"] for i in client.get(report_url).json()["items"]}
    assert items["summary"] == "誤送信" and items["data_items"] == "メールアドレス"


@pytest.mark.parametrize(("change", "field"), [
    ({"known_at": "2026-11-29T12:00:01+09:00"}, "known_at"),
    ({"data_items": []}, "data_items"),
    ({"affected_count": -1}, "affected_count"),
])
def test_appi26_bad_input_is_a_clear_400_and_nothing_changes(privacy_officer, change, field):
    response = api(privacy_officer).post("/api/v1/staff/incidents/", {**BODY, **change},
                                         format="json")
    assert response.status_code == 400
    assert set(response.json()) >= ERROR_KEYS and field in response.json()["errors"]
    assert Incident.objects.count() == 0


def test_appi26_unknown_incident_or_report_is_404(privacy_officer):
    client = api(privacy_officer)
    assert client.get("/api/v1/staff/incidents/not-a-uuid/").status_code == 404
    created = client.post("/api/v1/staff/incidents/", BODY, format="json").json()
    assert client.get(f"/api/v1/staff/incidents/{created['id']}/reports/draft/"
                      ).status_code == 404
    assert clock.now().isoformat() == "2026-11-29T03:00:00+00:00"
