"""REST API of data-subject requests (DESIGN section 9, a contract).

Subjects: `/api/v1/requests/` (own requests), `/api/v1/requests/{id}/`, `.../withdraw/`.
Staff: `/api/v1/staff/requests/` and `POST .../{id}/assign/ | verify-identity/ | reply/ | reject/`.
Views only translate HTTP to service calls; errors take the one shape of ccucaas_privacy/api.py.

Staff (issue 17): every staff endpoint needs the second factor (ccucaas_privacy/staff.py);
the list shows no personal data; the detail needs `X-Access-Reason` and is logged (P18).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts_app.models import StaffAccessKind
from accounts_app.services import accounts as account_services
from accounts_app.services.staff import REASON_MAX_CHARS, staff_access_record, subject_label_for
from ccucaas_privacy import staff
from ccucaas_privacy.api import paginated_response
from ccucaas_privacy.errors import DomainError
from requests_app.api_serializers_staff import StaffRequestSummarySerializer
from requests_app.api_staff_filing import StaffFileSerializer, staff_request_file
from requests_app.models import Channel, DataSubjectRequest, RequestType, Status
from requests_app.selectors import requests as selectors
from requests_app.services import filing, transitions, verification

PASSWORD_MAX_LENGTH = 4096


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    by_staff = serializers.SerializerMethodField()

    def get_by_staff(self, event) -> bool:
        return bool(event.actor_id and event.actor_id != event.request.subject_id)


class RequestSerializer(serializers.Serializer):
    """Declared field by field (not a ModelSerializer): the output is exactly these fields."""

    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=RequestType.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    details = serializers.JSONField(read_only=True)
    language = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    identity_verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reply_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    replied_at = serializers.DateTimeField(read_only=True, allow_null=True)
    effective_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reply_text = serializers.CharField(read_only=True)
    reply_attachments = AttachmentSerializer(many=True, read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    refusal_ground = serializers.CharField(read_only=True)
    withheld = serializers.JSONField(read_only=True)
    method_used = serializers.CharField(read_only=True)
    method_change_reason = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, obj) -> bool:
        return selectors.request_is_overdue(obj)


class RequestDetailSerializer(RequestSerializer):
    events = serializers.SerializerMethodField()

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj) -> list[dict]:
        return EventSerializer(selectors.request_timeline(obj), many=True).data


class StaffRequestSerializer(RequestDetailSerializer):
    subject_username = serializers.CharField(source="subject.username", default="", read_only=True)
    subject_display = serializers.CharField(source="display_name", read_only=True)
    subject_email = serializers.CharField(source="recipient_email", read_only=True)
    assignee = serializers.IntegerField(source="assignee_id", read_only=True, allow_null=True)
    next_check_at = serializers.DateTimeField(read_only=True, allow_null=True)


class RequestCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RequestType.choices)
    details = serializers.JSONField(required=False, default=dict)
    password = serializers.CharField(
        required=False, write_only=True, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        help_text=_("Disclosure and deletion: your password, unless you exchanged it for a "
                    "token at POST /api/v1/auth/token/ recently (REQUESTS_API_REAUTH_SECONDS, "
                    "15 minutes by default)."))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=transitions.REPLY_MAX_CHARS, trim_whitespace=False)
    attachments = AttachmentSerializer(many=True, required=False, default=list)
    withheld = serializers.JSONField(
        required=False, default=list,
        help_text=_("Partial disclosure (APPI Art. 33(2)): [{\"what\", \"ground\", \"explanation\"}]."))


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, trim_whitespace=False)
    ground = serializers.CharField(
        max_length=40, help_text=_("APPI Art. 33(2) ground for a disclosure (harm, "
                                   "business_hindrance, other_law) or a reason of the list "
                                   "(identity_not_established, data_not_held, request_unclear, "
                                   "grounds_not_met, excessive, other)."))


class StaffViewer(permissions.BasePermission):
    """Staff with the right (`allowed`) who passed the second factor (a token issued with a
    TOTP or recovery code, or an OTP-verified session); otherwise 403 second_factor_required.
    Subclasses (and other apps' staff APIs) override `allowed` only."""

    message = _("Only the privacy team may use this endpoint.")

    def allowed(self, user) -> bool:
        return staff.staff_can_view(user)

    def has_permission(self, request, view) -> bool:
        return self.allowed(request.user) and staff.staff_second_factor_check(request)


class StaffDecider(StaffViewer):
    message = _("Only privacy officers may do this.")

    def allowed(self, user) -> bool:
        return staff.staff_can_decide(user)


class StaffReplier(StaffViewer):
    def allowed(self, user) -> bool:
        return staff.staff_can_reply(user)


class StaffRejecter(StaffViewer):
    def allowed(self, user) -> bool:
        return staff.staff_can_reject(user)


class StaffVerifier(StaffViewer):
    def allowed(self, user) -> bool:
        return staff.staff_can_verify(user)


def _staff_get(pk) -> DataSubjectRequest:
    try:
        return get_object_or_404(DataSubjectRequest, pk=pk)
    except (ValidationError, ValueError) as exc:
        raise Http404 from exc


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RequestListCreateView(GenericAPIView):
    serializer_class = RequestSerializer

    def get_queryset(self):
        return selectors.requests_for_user(self.request.user)

    @extend_schema(operation_id="requests_list", responses=RequestSerializer(many=True))
    def get(self, request):
        return paginated_response(self, self.get_queryset(), RequestSerializer)

    @extend_schema(operation_id="requests_create", request=RequestCreateSerializer,
                   responses={201: RequestSerializer})
    def post(self, request):
        data = _valid(RequestCreateSerializer, request)
        if data.get("password"):
            account_services.api_password_confirm(request=request, user=request.user,
                                                   password=data["password"])
        elif selectors.api_password_stale(user=request.user, type=data["type"]):
            minutes = max(1, settings.REQUESTS["API_REAUTH_SECONDS"] // 60)
            raise DomainError(
                _("Disclosure and deletion requests need your password again: send it as "
                  "\"password\", or exchange it for a token at POST /api/v1/auth/token/ "
                  "first (that counts for %(minutes)d minutes).") % {"minutes": minutes},
                code="reauthentication_required", status=403)
        created, _sent = filing.request_file(
            type=data["type"], channel=Channel.PORTAL, details=data["details"],
            subject=request.user)
        return Response(RequestSerializer(created).data, status=status.HTTP_201_CREATED)


class RequestDetailView(GenericAPIView):
    serializer_class = RequestDetailSerializer

    @extend_schema(operation_id="requests_retrieve")
    def get(self, request, pk):
        obj = selectors.request_for_user(user=request.user, pk=pk)
        return Response(RequestDetailSerializer(obj).data)


class RequestWithdrawView(GenericAPIView):
    serializer_class = RequestDetailSerializer

    @extend_schema(operation_id="requests_withdraw", request=WithdrawSerializer,
                   responses=RequestDetailSerializer)
    def post(self, request, pk):
        obj = selectors.request_for_user(user=request.user, pk=pk)
        data = _valid(WithdrawSerializer, request)
        obj = transitions.request_withdraw(request=obj, actor=request.user, reason=data["reason"])
        return Response(RequestDetailSerializer(obj).data)


class StaffRequestListView(GenericAPIView):
    serializer_class = StaffRequestSummarySerializer
    permission_classes = [permissions.IsAuthenticated, StaffViewer]

    @extend_schema(operation_id="staff_requests_list", parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
        OpenApiParameter("type", OpenApiTypes.STR, enum=RequestType.values),
        OpenApiParameter("overdue", OpenApiTypes.BOOL),
        OpenApiParameter("assignee", OpenApiTypes.STR,
                         description='A user id, or "none" for unassigned requests.'),
    ], responses=StaffRequestSummarySerializer(many=True))
    def get(self, request):
        serializer = StaffFilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {k: v for k, v in serializer.validated_data.items() if v is not None}
        return paginated_response(self, selectors.staff_requests(**filters),
                                  StaffRequestSummarySerializer)

    @extend_schema(operation_id="staff_requests_create", request=StaffFileSerializer,
                   responses={201: StaffRequestSummarySerializer})
    def post(self, request):
        """Record a help-desk request, also a representative's (issue 21, APPI Art. 37(3))."""
        return staff_request_file(request)


class StaffFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    assignee = serializers.RegexField(r"^(none|\d+)$", required=False)


class StaffRequestDetailView(GenericAPIView):
    serializer_class = StaffRequestSerializer
    permission_classes = [permissions.IsAuthenticated, StaffViewer]

    @extend_schema(operation_id="staff_requests_retrieve", parameters=[OpenApiParameter(
        "X-Access-Reason", str, OpenApiParameter.HEADER, required=True,
        description="Why you open this person's data (P18 staff access log); 400 without")])
    def get(self, request, pk):
        reason = api_access_reason(request)
        obj = _staff_get(pk)
        _log_staff_access(request, obj, reason)
        return Response(StaffRequestSerializer(obj).data)


ACCESS_REASON_REQUIRED = _("Say why you open this person's data in the X-Access-Reason header "
                           "(it is kept in the staff access log, P18).")


def api_access_reason(request) -> str:
    """The X-Access-Reason header of a staff API request (P18), or a 400 in the error shape."""
    reason = request.headers.get("X-Access-Reason", "").strip()
    if not reason:
        raise DomainError(str(ACCESS_REASON_REQUIRED), code="access_reason_required",
                          details={"X-Access-Reason": [str(ACCESS_REASON_REQUIRED)]})
    return reason[:REASON_MAX_CHARS]


def _log_staff_access(request, obj: DataSubjectRequest, reason: str) -> None:
    """P18: every staff view of a request (personal data) is a StaffAccess row."""
    staff_access_record(staff=request.user, what=StaffAccessKind.API_REQUEST_DETAIL,
                        reason=reason, subject=obj.subject,
                        subject_label=subject_label_for(subject=obj.subject,
                                                        email=obj.subject_email),
                        object_ref=obj.reference, path=request.get_full_path())


class _StaffAction(GenericAPIView):
    """An action answers the summary (no personal data); the detail shows the rest."""

    serializer_class = StaffRequestSummarySerializer
    permission_classes = [permissions.IsAuthenticated, StaffDecider]
    input_serializer: type[serializers.Serializer]

    def post(self, request, pk):
        obj = _staff_get(pk)
        data = _valid(self.input_serializer, request)
        obj = self.perform(obj, data, request.user)
        return Response(StaffRequestSummarySerializer(obj).data)


@extend_schema_view(post=extend_schema(operation_id="staff_requests_assign",
                                       request=AssignSerializer))
class StaffAssignView(_StaffAction):
    input_serializer = AssignSerializer

    def perform(self, obj, data, user):
        return transitions.request_assign(request=obj, assignee=data["assignee"], actor=user)


@extend_schema_view(post=extend_schema(operation_id="staff_requests_verify_identity",
                                       request=NoteSerializer))
class StaffVerifyIdentityView(_StaffAction):
    input_serializer = NoteSerializer
    permission_classes = [permissions.IsAuthenticated, StaffVerifier]

    def perform(self, obj, data, user):
        return verification.request_verify_identity(request=obj, actor=user, note=data["note"])


@extend_schema_view(post=extend_schema(operation_id="staff_requests_reply",
                                       request=ReplySerializer))
class StaffReplyView(_StaffAction):
    input_serializer = ReplySerializer
    permission_classes = [permissions.IsAuthenticated, StaffReplier]

    def perform(self, obj, data, user):
        return transitions.request_reply(request=obj, actor=user, text=data["text"],
                                      attachments=[dict(a) for a in data["attachments"]],
                                      withheld=data["withheld"])


@extend_schema_view(post=extend_schema(operation_id="staff_requests_reject",
                                       request=RejectSerializer))
class StaffRejectView(_StaffAction):
    input_serializer = RejectSerializer
    permission_classes = [permissions.IsAuthenticated, StaffRejecter]

    def perform(self, obj, data, user):
        return transitions.request_reject(request=obj, actor=user, reason=data["reason"],
                                       ground=data["ground"])

