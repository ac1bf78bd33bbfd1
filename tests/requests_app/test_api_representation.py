"""RequestSerializer writes its output by hand and well-formed filing input skips the create
serializer (speed, issue 6): both must stay exactly what the declared fields would produce, for
every status, channel, timezone and attachment shape, and every input shape."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from requests_app import services
from requests_app.api import (
    RequestCreateSerializer,
    RequestDetailSerializer,
    RequestSerializer,
    StaffRequestSerializer,
    create_input_well_formed,
)
from requests_app.models import Status
from tests.requests_app.conftest import T0, file_portal, file_web_form, request_in

pytestmark = pytest.mark.django_db


def declared_output(serializer_class, obj) -> dict:
    """DRF's generic field-by-field output of the serializer's declared fields."""
    return serializers.Serializer.to_representation(serializer_class(obj), obj)


@pytest.mark.parametrize("status", [s for s in Status.values])
def test_request_representation_equals_the_declared_fields_in_every_status(
        status, alice, privacy_officer):
    obj = request_in(status, user=alice, staff=privacy_officer)
    obj.refresh_from_db()
    assert RequestSerializer(obj).data == declared_output(RequestSerializer, obj)


def test_request_representation_equals_the_declared_fields_with_attachments_and_markup(
        alice, privacy_officer):
    obj = file_portal(alice, "disclosure", {"note": "<script>alert(1)</script> 開示 🙏"})
    obj = services.request_reply(
        request=obj, actor=privacy_officer, text="回答 <b>です</b>",
        attachments=[{"name": "開示.zip", "description": "保有個人データ"}, {"name": "b.pdf"}],
        now=T0 + timedelta(hours=2))
    obj.refresh_from_db()
    data = RequestSerializer(obj).data
    assert data == declared_output(RequestSerializer, obj)
    assert data["reply_attachments"][1] == {"name": "b.pdf", "description": ""}
    assert data["received_at"].endswith("+09:00")  # shown in JST like the portal


def test_request_representation_follows_the_active_time_zone_like_drf(alice):
    obj = file_portal(alice, "deletion")
    with timezone.override("UTC"):
        data = RequestSerializer(obj).data
        assert data == declared_output(RequestSerializer, obj)
    assert data["received_at"].endswith("Z")


def test_lists_and_subclasses_keep_every_declared_field(alice, privacy_officer):
    portal = file_portal(alice, "correction")
    guest, _sent = file_web_form(email="guest@example.org", type="inquiry")
    for obj in (portal, guest):
        obj.refresh_from_db()
        many = RequestSerializer([obj], many=True).data
        assert many == [declared_output(RequestSerializer, obj)]
        for subclass in (RequestDetailSerializer, StaffRequestSerializer):
            data = subclass(obj).data
            assert data == declared_output(subclass, obj)
            assert set(subclass._declared_fields) == set(data)


WELL_FORMED = [
    {"type": "disclosure"},
    {"type": "deletion", "details": {}, "password": "correct-horse-battery-42"},
    {"type": "inquiry", "details": {"subject": "件名 😀", "message": "<b>本文</b>"}},
    {"type": "correction", "details": {"items": [{"field": "first_name", "requested_value": "花"}]},
     "unknown": "ignored"},
    {"type": "disclosure", "password": " spaces kept "},
]
NOT_WELL_FORMED = [
    {}, {"type": "opinion"}, {"type": ["disclosure"]}, {"type": "inquiry", "details": "text"},
    {"type": "inquiry", "details": None}, {"type": "deletion", "password": ""},
    {"type": "deletion", "password": 12345}, {"type": "deletion", "password": "a\x00b"},
    {"type": "deletion", "password": "x" * 4097}, {"type": "deletion", "password": "\ud800"},
    ["disclosure"], "disclosure",
]


@pytest.mark.parametrize("data", WELL_FORMED)
def test_well_formed_filing_input_takes_the_short_path_with_the_serializers_result(data):
    serializer = RequestCreateSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    assert create_input_well_formed(data) == dict(serializer.validated_data)


@pytest.mark.parametrize("data", NOT_WELL_FORMED)
def test_anything_else_goes_through_the_serializer_for_its_error_messages(data):
    assert create_input_well_formed(data) is None
