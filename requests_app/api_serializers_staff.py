"""Serializers of the staff request API (issue 17): the list and the answers of staff actions
carry no personal data; the detail (StaffRequestSerializer in api.py) does, with a reason."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from requests_app.models import Channel, RequestType, Status
from requests_app.selectors import requests as selectors


class BadgeSerializer(serializers.Serializer):
    colour = serializers.CharField()
    label = serializers.CharField()


class StaffRequestSummarySerializer(serializers.Serializer):
    """The staff list (and the answer of staff actions): no personal data (issue 17); that is
    on the detail only, which needs a reason and is logged (P18)."""

    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=RequestType.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    identity_verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reply_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    effective_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    replied_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    assignee = serializers.IntegerField(source="assignee_id", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    badge = serializers.SerializerMethodField()

    def get_overdue(self, obj) -> bool:
        return selectors.request_is_overdue(obj)

    @extend_schema_field(BadgeSerializer)
    def get_badge(self, obj) -> dict:
        from requests_app.admin_lists import deadline_badge

        badge = deadline_badge(obj)
        return {"colour": badge.colour, "label": badge.label}
