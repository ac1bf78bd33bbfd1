"""Staff API of the incident register (issue 22; APPI-26). Privacy officers only, with the
permission classes of the request staff API (requests_app/api.py), so the second factor those
require applies here too. Views translate HTTP to service calls; errors take the one shape of
ccucaas_privacy/api.py. The detail shows affected people: it is logged (P18).
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts_app.models import StaffAccessKind
from accounts_app.services.staff import staff_access_record
from ccucaas_privacy.api import paginated_response
from incidents_app import selectors, services
from incidents_app.models import Stage
from requests_app.api import StaffDecider, api_access_reason

STAFF = [permissions.IsAuthenticated, StaffDecider]
TEXT = services.TEXT_MAX_CHARS


class IncidentSerializer(serializers.Serializer):
    """The list: no personal data (no linked users)."""

    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    known_at = serializers.DateTimeField(read_only=True)
    reportable = serializers.BooleanField(read_only=True)
    people_count = serializers.IntegerField(read_only=True)
    preliminary_due_at = serializers.DateTimeField(read_only=True)
    final_due_at = serializers.DateTimeField(read_only=True)
    preliminary_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    final_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)


class IncidentDetailSerializer(IncidentSerializer):
    reported_by = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    data_categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    data_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    affected_users = serializers.SerializerMethodField()
    affected_count = serializers.IntegerField(read_only=True)
    mitigated = serializers.BooleanField(read_only=True)
    mitigation_note = serializers.CharField(read_only=True)
    special_care = serializers.BooleanField(read_only=True)
    financial_harm = serializers.BooleanField(read_only=True)
    unlawful_intent = serializers.BooleanField(read_only=True)
    reportable_cases = serializers.SerializerMethodField()
    notice_campaign = serializers.IntegerField(source="notice_campaign_id", read_only=True,
                                               allow_null=True)

    def get_affected_users(self, obj) -> list[int]:
        return list(obj.affected_users.order_by("pk").values_list("pk", flat=True))

    def get_reportable_cases(self, obj) -> list[str]:
        return selectors.reportable_cases(obj)


class IncidentWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    known_at = serializers.DateTimeField()
    reported_by = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT)
    data_items = serializers.ListField(child=serializers.CharField(max_length=200),
                                       max_length=services.ITEMS_MAX)
    data_categories = serializers.ListField(child=serializers.CharField(max_length=64),
                                            required=False, default=list,
                                            max_length=services.ITEMS_MAX)
    affected_users = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), many=True, required=False, default=list)
    affected_count = serializers.IntegerField(min_value=0, required=False, default=0)
    mitigated = serializers.BooleanField(required=False, default=False)
    mitigation_note = serializers.CharField(max_length=TEXT, required=False, allow_blank=True,
                                            default="")
    special_care = serializers.BooleanField(required=False, default=False)
    financial_harm = serializers.BooleanField(required=False, default=False)
    unlawful_intent = serializers.BooleanField(required=False, default=False)


def _item():
    return serializers.CharField(max_length=TEXT, required=False, allow_blank=True)


class ReportSerializer(serializers.Serializer):
    """The nine items of PPC rules Art. 8(1) (models.REPORT_ITEMS); give the ones to change."""

    summary = _item()
    data_items = _item()
    people_count = _item()
    cause = _item()
    secondary_harm = _item()
    subject_response = _item()
    publication = _item()
    prevention = _item()
    other = _item()


class SubmitSerializer(serializers.Serializer):
    submitted_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _stage(stage: str) -> str:
    from django.http import Http404

    if stage not in Stage.values:
        raise Http404
    return stage


def _log_view(request, incident) -> None:
    """P18: opening an incident shows who was affected; one StaffAccess row per view."""
    reason = api_access_reason(request)
    staff_access_record(staff=request.user, what=StaffAccessKind.PERSONAL_DATA, reason=reason,
                        subject_label=f"incident {incident.reference}: people affected",
                        object_ref=f"incidents_app.incident:{incident.reference}",
                        path=request.get_full_path())


class IncidentListCreateView(GenericAPIView):
    serializer_class = IncidentSerializer
    permission_classes = STAFF

    @extend_schema(operation_id="staff_incidents_list", responses=IncidentSerializer(many=True))
    def get(self, request):
        return paginated_response(self, selectors.incidents_list(), IncidentSerializer)

    @extend_schema(operation_id="staff_incidents_create", request=IncidentWriteSerializer,
                   responses={201: IncidentDetailSerializer})
    def post(self, request):
        data = _valid(IncidentWriteSerializer, request)
        incident = services.incident_create(**data, actor=request.user)
        return Response(IncidentDetailSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailView(GenericAPIView):
    serializer_class = IncidentDetailSerializer
    permission_classes = STAFF

    @extend_schema(operation_id="staff_incidents_retrieve", parameters=[OpenApiParameter(
        "X-Access-Reason", str, OpenApiParameter.HEADER, required=True,
        description="Why you open the incident's affected people (P18 staff access log); "
                    "400 without")])
    def get(self, request, pk):
        incident = selectors.incident_get(pk=pk)
        _log_view(request, incident)
        return Response(IncidentDetailSerializer(incident).data)

    @extend_schema(operation_id="staff_incidents_update", request=IncidentWriteSerializer,
                   responses=IncidentDetailSerializer)
    def patch(self, request, pk):
        incident = selectors.incident_get(pk=pk)
        data = dict(_valid(IncidentWriteSerializer, request, partial=True))
        users = data.pop("affected_users", None) if "affected_users" in request.data else None
        data = {k: v for k, v in data.items() if k in request.data}
        incident = services.incident_update(incident=incident, changes=data, actor=request.user,
                                            affected_users=users)
        return Response(IncidentDetailSerializer(incident).data)


class IncidentReportView(GenericAPIView):
    serializer_class = ReportSerializer
    permission_classes = STAFF

    @extend_schema(operation_id="staff_incident_reports_retrieve",
                   description="The report as JSON: the nine items of PPC rules Art. 8(1).")
    def get(self, request, pk, stage):
        incident = selectors.incident_get(pk=pk)
        return Response(selectors.report_sheet(incident, _stage(stage)))

    @extend_schema(operation_id="staff_incident_reports_update", request=ReportSerializer)
    def patch(self, request, pk, stage):
        incident = selectors.incident_get(pk=pk)
        items = dict(_valid(ReportSerializer, request))
        services.incident_report_save(incident=incident, stage=_stage(stage), items=items,
                                      actor=request.user)
        return Response(selectors.report_sheet(incident, stage))


class IncidentReportSubmitView(GenericAPIView):
    serializer_class = SubmitSerializer
    permission_classes = STAFF

    @extend_schema(operation_id="staff_incident_reports_submit", request=SubmitSerializer)
    def post(self, request, pk, stage):
        incident = selectors.incident_get(pk=pk)
        data = _valid(SubmitSerializer, request)
        services.incident_report_submit(incident=incident, stage=_stage(stage),
                                        actor=request.user, submitted_at=data["submitted_at"])
        return Response(selectors.report_sheet(incident, stage))
