"""REST API of the accounts app: sign-up, token, and the signed-in user's profile."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts_app import services
from accounts_app.models import Language
from accounts_app.views import client_ip, user_agent
from ccucaas_privacy.api import problem_response


class UserOutput(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    language = serializers.CharField()
    email_confirmed = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_email_confirmed(self, user) -> bool:
        return user.email_confirmed_at is not None


class SignUpInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=Language.choices, default=Language.JA)
    accept_policy = serializers.BooleanField(default=False)
    consent_cross_border_storage = serializers.BooleanField(default=False)
    marketing_email = serializers.BooleanField(default=False)


class SignUpApi(APIView):
    """P01: create an account (policy accepted and storage outside Japan consented, or nothing)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_up"

    @extend_schema(request=SignUpInput, responses={201: UserOutput})
    def post(self, request):
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.account_sign_up(**data.validated_data, ip=client_ip(request),
                                        user_agent=user_agent(request))
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class AuthTokenApi(APIView):
    """P03: exchange username and password for an API token (throttled, django-axes lockout)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return problem_response(
                    429, "locked_out",
                    str(services.LOCKOUT_MESSAGE))
            return problem_response(400, "invalid_credentials",
                                    str(services.INVALID_CREDENTIALS_MESSAGE))
        return Response({"token": services.auth_token_issue(user=user)})


class ProfileInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


class MeApi(APIView):
    """The signed-in user's profile; PATCH corrects it (P21), each change logged."""

    @extend_schema(responses={200: UserOutput})
    def get(self, request):
        return Response(UserOutput(request.user).data)

    @extend_schema(request=ProfileInput, responses={200: UserOutput})
    def patch(self, request):
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.profile_update(user=request.user, changes=dict(data.validated_data),
                                channel="api")
        request.user.refresh_from_db()
        return Response(UserOutput(request.user).data)
