"""REST API of consents and policy versions (DESIGN section 9).

`/api/v1/consents/` current state; `POST .../grant/`, `POST .../withdraw/`; `.../events/` the
user's ledger; `.../receipts/{id}/` one receipt. `/api/v1/policies/` versions, `current/`,
`POST {version}/accept/`. Views translate HTTP to service calls; errors take the one shape of
ccucaas_privacy/api.py; another user's receipt is a 404.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from consent_app import receipts, selectors, services
from consent_app.middleware import client_ip
from consent_app.models import ConsentEvent, PolicyVersion
from consent_app.views import policy_version_or_404


class ConsentStateSerializer(serializers.Serializer):
    purpose = serializers.CharField(source="code")
    name = serializers.CharField()
    description = serializers.CharField(source="purpose.description")
    required = serializers.BooleanField(source="purpose.required")
    withdrawable = serializers.BooleanField(source="purpose.withdrawable")
    granted = serializers.BooleanField()
    since = serializers.DateTimeField(source="latest.created_at", default=None, allow_null=True)
    receipt_id = serializers.UUIDField(source="latest.receipt_id", default=None, allow_null=True)


class ConsentEventSerializer(serializers.ModelSerializer):
    policy_version = serializers.CharField(source="policy_version.version", default=None,
                                           allow_null=True)

    class Meta:
        model = ConsentEvent
        fields = ["receipt_id", "purpose", "action", "channel", "policy_version", "created_at"]
        read_only_fields = fields


class PurposeInputSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=150)


class PolicyVersionSerializer(serializers.ModelSerializer):
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = PolicyVersion
        fields = ["version", "effective_at", "importance", "published_at", "summary",
                  "summary_ja", "summary_en"]
        read_only_fields = fields


class PolicyVersionDetailSerializer(PolicyVersionSerializer):
    class Meta(PolicyVersionSerializer.Meta):
        fields = [*PolicyVersionSerializer.Meta.fields, "full_text_ja", "full_text_en"]
        read_only_fields = fields


class PolicyAcceptanceSerializer(serializers.Serializer):
    version = serializers.CharField(source="version.version")
    kind = serializers.CharField()
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()


def _meta(request) -> dict:
    return {"ip": client_ip(request), "user_agent": request.headers.get("User-Agent", "")}


class ConsentListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ConsentStateSerializer(many=True), tags=["consents"],
                   summary="Current state of each purpose for the signed-in user")
    def get(self, request):
        states = selectors.consent_states(user=request.user)
        return Response(ConsentStateSerializer(states, many=True).data)


class _ConsentChangeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    service = None
    created_status = status.HTTP_201_CREATED

    def post(self, request):
        data = PurposeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        before = ConsentEvent.objects.filter(user=request.user).count()
        event = type(self).service(user=request.user, purpose=data.validated_data["purpose"],
                                   channel="api", **_meta(request))
        changed = ConsentEvent.objects.filter(user=request.user).count() != before
        return Response(ConsentEventSerializer(event).data,
                        status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK)


def _consent_change_schema(summary: str):
    """The OpenAPI description of one `_ConsentChangeApi` subclass's POST."""
    return extend_schema_view(post=extend_schema(
        request=PurposeInputSerializer, tags=["consents"], summary=summary,
        responses={201: ConsentEventSerializer, 200: ConsentEventSerializer}))


@_consent_change_schema("Grant consent (idempotent: 200 with the existing grant)")
class ConsentGrantApi(_ConsentChangeApi):
    service = staticmethod(services.consent_grant)


@_consent_change_schema("Withdraw consent (409 for a purpose required by the account)")
class ConsentWithdrawApi(_ConsentChangeApi):
    service = staticmethod(services.consent_withdraw)


class ConsentEventListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ConsentEventSerializer(many=True), tags=["consents"],
                   summary="The signed-in user's consent ledger, newest first")
    def get(self, request):
        events = selectors.consent_events_for_user(user=request.user)[:500]
        return Response(ConsentEventSerializer(events, many=True).data)


class ConsentReceiptApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["consents"],
                   summary="Consent receipt (Kantara Consent Receipt v1.1 fields)")
    def get(self, request, receipt_id):
        try:
            event = selectors.consent_event_get(user=request.user, receipt_id=receipt_id)
        except ConsentEvent.DoesNotExist:
            raise Http404 from None
        response = Response(receipts.consent_receipt(event))
        response["Content-Disposition"] = (
            f'attachment; filename="{receipts.receipt_filename(event)}"')
        return response


class PolicyListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PolicyVersionSerializer(many=True), tags=["policies"],
                   summary="Published policy versions, newest first")
    def get(self, request):
        versions = selectors.policy_versions_published()
        return Response(PolicyVersionSerializer(versions, many=True).data)


class PolicyCurrentApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PolicyVersionDetailSerializer, tags=["policies"],
                   summary="The version in effect now")
    def get(self, request):
        version = selectors.policy_version_current()
        if version is None:
            raise Http404
        return Response(PolicyVersionDetailSerializer(version).data)


class PolicyDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PolicyVersionDetailSerializer, tags=["policies"],
                   summary="One policy version with its full text")
    def get(self, request, version):
        obj = policy_version_or_404(version)
        return Response(PolicyVersionDetailSerializer(obj).data)


class PolicyAcceptApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={201: PolicyAcceptanceSerializer}, tags=["policies"],
                   summary="Accept a policy version (idempotent)")
    def post(self, request, version):
        obj = policy_version_or_404(version)
        acceptance = services.policy_accept(user=request.user, version=obj, channel="api",
                                            **_meta(request))
        return Response(PolicyAcceptanceSerializer(acceptance).data,
                        status=status.HTTP_201_CREATED)


class PolicyAcceptanceListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=PolicyAcceptanceSerializer(many=True), tags=["policies"],
                   summary="The signed-in user's policy acceptances")
    def get(self, request):
        acceptances = selectors.policy_acceptances_for_user(user=request.user)
        return Response(PolicyAcceptanceSerializer(acceptances, many=True).data)
