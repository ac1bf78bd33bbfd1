"""The requests API's output is the serializers' declared fields and nothing else, and its
input goes through RequestCreateSerializer only (issue 18: no hand-written output, no second
validator): for every status, channel, timezone and attachment shape, and every input shape."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts_app.services.accounts import auth_token_issue
from requests_app.api import (
    RequestDetailSerializer,
    RequestSerializer,
    StaffRequestSerializer,
)
from requests_app.models import DataSubjectRequest, Status
from requests_app.services import transitions as services
from tests.requests_app.conftest import T0, file_portal, file_web_form, request_in

pytestmark = pytest.mark.django_db

FIELDS = {"id", "reference", "type", "channel", "status", "details", "language", "received_at",
          "identity_verified_at", "reply_due_at", "replied_at", "effective_due_at",
          "completed_at", "reply_text", "reply_attachments", "rejection_reason", "overdue",
          "refusal_ground", "withheld", "method_used", "method_change_reason"}


def jst(value) -> str | None:
    """A time as the API shows it: ISO 8601 in Asia/Tokyo."""
    return None if value is None else timezone.localtime(value).isoformat()


def expected(obj: DataSubjectRequest) -> dict:
    """What the API promises for a request (DESIGN section 9), written out independently."""
    return {
        "id": str(obj.pk), "reference": obj.reference, "type": obj.type,
        "channel": obj.channel, "status": obj.status, "details": obj.details,
        "language": obj.language, "received_at": jst(obj.received_at),
        "identity_verified_at": jst(obj.identity_verified_at),
        "reply_due_at": jst(obj.reply_due_at), "replied_at": jst(obj.replied_at),
        "effective_due_at": jst(obj.effective_due_at), "completed_at": jst(obj.completed_at),
        "reply_text": obj.reply_text,
        "reply_attachments": [{"name": a["name"], "description": a.get("description", "")}
                              for a in obj.reply_attachments],
        "rejection_reason": obj.rejection_reason, "overdue": False,
        # issue 21 (APPI Art. 33): the refusal's ground, what was withheld, the method used
        "refusal_ground": obj.refusal_ground, "withheld": obj.withheld,
        "method_used": obj.method_used, "method_change_reason": obj.method_change_reason,
    }


@pytest.mark.parametrize("status", [s for s in Status.values])
def test_the_request_output_is_the_declared_fields_in_every_status(
        status, alice, privacy_officer):
    obj = request_in(status, user=alice, staff=privacy_officer)
    obj.refresh_from_db()
    data = RequestSerializer(obj).data
    assert set(data) == FIELDS
    assert data == expected(obj)


def test_the_request_output_keeps_attachments_and_markup_as_data(alice, privacy_officer):
    obj = file_portal(alice, "disclosure", {"note": "<script>alert(1)</script> 開示 🙏"})
    obj = services.request_reply(
        request=obj, actor=privacy_officer, text="回答 <b>です</b>",
        attachments=[{"name": "開示.zip", "description": "保有個人データ"}, {"name": "b.pdf"}],
        now=T0 + timedelta(hours=2))
    obj.refresh_from_db()
    data = RequestSerializer(obj).data
    assert data == expected(obj)
    assert data["reply_attachments"][1] == {"name": "b.pdf", "description": ""}
    assert data["details"] == {"note": "<script>alert(1)</script> 開示 🙏"}
    assert data["received_at"].endswith("+09:00")  # shown in JST like the portal


def test_the_request_output_follows_the_active_time_zone(alice):
    obj = file_portal(alice, "deletion")
    with timezone.override("UTC"):
        data = RequestSerializer(obj).data
    assert data["received_at"] == obj.received_at.isoformat().replace("+00:00", "Z")


def test_lists_and_subclasses_keep_every_declared_field(alice, privacy_officer):
    portal = file_portal(alice, "correction")
    guest, _sent = file_web_form(email="guest@example.org", type="inquiry")
    for obj in (portal, guest):
        obj.refresh_from_db()
        assert RequestSerializer([obj], many=True).data == [expected(obj)]
        detail = RequestDetailSerializer(obj).data
        assert set(detail) == FIELDS | {"events"}
        assert detail["events"][0]["action"] == "receive"
        staff = StaffRequestSerializer(obj).data
        assert set(staff) == FIELDS | {"events", "subject_username", "subject_display",
                                       "subject_email", "assignee", "next_check_at"}
        assert {k: staff[k] for k in FIELDS} == expected(obj)


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=user)}")
    return client


WELL_FORMED = [
    {"type": "disclosure"},
    {"type": "deletion", "details": {}},
    {"type": "inquiry", "details": {"subject": "件名 😀", "message": "<b>本文</b>"}},
    {"type": "correction", "details": {"items": [{"field": "first_name", "requested_value": "花"}]},
     "unknown": "ignored"},
    {"type": "disclosure", "details": {"note": " spaces kept "}},
]
NOT_WELL_FORMED = [
    {}, {"type": "opinion"}, {"type": ["disclosure"]}, {"type": "inquiry", "details": "text"},
    {"type": "inquiry", "details": None}, {"type": "deletion", "password": ""},
    {"type": "deletion", "password": 12345}, {"type": "deletion", "password": "a\x00b"},
    {"type": "deletion", "password": "x" * 4097}, {"type": "deletion", "password": "\ud800"},
    ["disclosure"], "disclosure",
]


@pytest.mark.parametrize("data", WELL_FORMED)
def test_well_formed_filing_input_is_filed_as_the_serializer_validated_it(data, alice):
    response = api_client(alice).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    stored = DataSubjectRequest.objects.get(pk=body["id"])
    assert (stored.type, stored.subject) == (data["type"], alice)
    assert body == expected(stored)
    assert "unknown" not in stored.details


@pytest.mark.parametrize("data", NOT_WELL_FORMED)
def test_anything_else_is_a_400_in_the_error_shape_and_files_nothing(data, alice):
    import json

    client = api_client(alice)
    if isinstance(data, dict) and "\ud800" in str(data.get("password", "")):
        body = '{"type": "deletion", "password": "\\ud800"}'  # a lone surrogate, as JSON
    else:
        body = json.dumps(data)
    response = client.post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert {"code", "detail"} <= set(error)
    assert not DataSubjectRequest.objects.exists()
