"""Staff API for campaigns and for publishing policy versions (privacy officers only)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ccucaas_privacy.staff import staff_can_decide, staff_second_factor_check
from consent_app.models import Importance
from consent_app.services import policy_version_publish
from notifications_app.models import Campaign, CampaignKind
from notifications_app.selectors import campaigns as selectors
from notifications_app.services import campaigns as services


class PrivacyOfficer(permissions.BasePermission):
    message = _("Only privacy officers may do this.")

    def has_permission(self, request, view) -> bool:
        # Issue 17: staff API operations need the second factor, as in requests_app/api.py.
        return staff_can_decide(request.user) and staff_second_factor_check(request)


class CampaignSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    policy_version = serializers.CharField(source="policy_version.version", default=None,
                                           allow_null=True, read_only=True)
    coverage = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "kind", "policy_version", "title_ja", "title_en", "effective_at",
                  "status", "needs_decision", "created_at", "started_at", "finished_at",
                  "coverage"]

    def get_coverage(self, obj) -> dict:
        return selectors.campaign_coverage(campaign=obj).as_dict()


class CampaignCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[CampaignKind.MERGER_NOTICE, CampaignKind.MARKETING])
    title_ja = serializers.CharField(max_length=200, allow_blank=True)
    title_en = serializers.CharField(max_length=200, allow_blank=True)
    body_ja = serializers.CharField(allow_blank=True)
    body_en = serializers.CharField(allow_blank=True)
    effective_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    start = serializers.BooleanField(default=True)


class PolicyPublishSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=20)
    effective_at = serializers.DateTimeField()
    importance = serializers.ChoiceField(choices=Importance.choices)
    summary_ja = serializers.CharField(allow_blank=True)
    summary_en = serializers.CharField(allow_blank=True)
    full_text_ja = serializers.CharField(allow_blank=True)
    full_text_en = serializers.CharField(allow_blank=True, required=False, default="")


class PolicyPublishedSerializer(serializers.Serializer):
    version = serializers.CharField()
    importance = serializers.ChoiceField(choices=Importance.choices)
    effective_at = serializers.DateTimeField()
    campaign = CampaignSerializer(allow_null=True, help_text="major: the notice campaign; "
                                  "minor: null (banner only)")


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class PostponeSerializer(serializers.Serializer):
    effective_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


def _campaign(public_id) -> Campaign:
    try:
        return selectors.campaign_get(public_id=public_id)
    except (Campaign.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


class PolicyPublishApi(APIView):
    permission_classes = [PrivacyOfficer]

    @extend_schema(request=PolicyPublishSerializer, responses={201: PolicyPublishedSerializer},
                   tags=["staff"], summary="Publish a policy version (major: 30-day notice "
                   "campaign to every user; minor: banner only)")
    def post(self, request):
        data = PolicyPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = policy_version_publish(**data.validated_data, actor=request.user)
        campaign = Campaign.objects.filter(policy_version=version).first()
        body = PolicyPublishedSerializer({"version": version.version,
                                          "importance": version.importance,
                                          "effective_at": version.effective_at,
                                          "campaign": campaign})
        return Response(body.data, status=status.HTTP_201_CREATED)


class CampaignListApi(APIView):
    permission_classes = [PrivacyOfficer]

    @extend_schema(responses=CampaignSerializer(many=True), tags=["staff"],
                   summary="Campaigns with their coverage")
    def get(self, request):
        return Response(CampaignSerializer(selectors.campaigns_list()[:100], many=True).data)

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer},
                   tags=["staff"], summary="Create (and start) a merger notice or marketing "
                   "campaign")
    def post(self, request):
        data = CampaignCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        start = fields.pop("start")
        campaign = services.campaign_create(**fields, created_by=request.user)
        if start:
            campaign = services.campaign_start(campaign=campaign, actor=request.user)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_classes = [PrivacyOfficer]

    @extend_schema(responses=CampaignSerializer, tags=["staff"], summary="One campaign")
    def get(self, request, public_id):
        return Response(CampaignSerializer(_campaign(public_id)).data)


# POST of one officer decision on a campaign: the input goes through `input_serializer`, `decide`
# calls the service, the answer is the campaign as it is afterwards. (A comment, not a docstring:
# drf-spectacular would publish a docstring as the operations' description.)
class _CampaignDecisionApi(APIView):
    permission_classes = [PrivacyOfficer]
    input_serializer: type[serializers.Serializer]

    def decide(self, *, campaign: Campaign, actor, data: dict) -> Campaign:
        raise NotImplementedError

    def post(self, request, public_id):
        campaign = _campaign(public_id)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = self.decide(campaign=campaign, actor=request.user, data=data.validated_data)
        return Response(CampaignSerializer(campaign).data)


@extend_schema_view(post=extend_schema(
    request=AcknowledgeSerializer, responses=CampaignSerializer, tags=["staff"],
    summary="Acknowledge incomplete coverage at the 30-day line"))
class CampaignAcknowledgeApi(_CampaignDecisionApi):
    input_serializer = AcknowledgeSerializer

    def decide(self, *, campaign: Campaign, actor, data: dict) -> Campaign:
        services.campaign_coverage_acknowledge(campaign=campaign, actor=actor, note=data["note"])
        campaign.refresh_from_db()
        return campaign


@extend_schema_view(post=extend_schema(
    request=PostponeSerializer, responses=CampaignSerializer, tags=["staff"],
    summary="Postpone the effective date (the 30 days start again)"))
class CampaignPostponeApi(_CampaignDecisionApi):
    input_serializer = PostponeSerializer

    def decide(self, *, campaign: Campaign, actor, data: dict) -> Campaign:
        return services.campaign_postpone(campaign=campaign, actor=actor, **data)
