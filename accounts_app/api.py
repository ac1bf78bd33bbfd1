"""REST API of the accounts app: sign-up, tokens, and the signed-in user's profile.

Tokens (issue 17) are django-rest-knox tokens: a new one per client, expiring, revocable one
by one (`POST auth/token/revoke/`) or all at once with every session (`.../revoke-all/`).
Staff need the second factor (`otp`).
"""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts_app.models import Language
from accounts_app.services import accounts as services
from accounts_app.services import auth as services_auth
from accounts_app.views import client_ip, user_agent
from ccucaas_privacy.api import problem_response
from ccucaas_privacy.errors import DomainError


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


SIGN_UP_ACCEPTED = _("If the address can be used, we sent an email to it: confirm the address, "
                     "then get a token at POST /api/v1/auth/token/.")


class SignUpOutput(serializers.Serializer):
    detail = serializers.CharField()


class _AnonymousApi(APIView):
    """An endpoint for callers without an account or token yet: no authentication, throttled by
    the subclass's `throttle_scope`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]


class SignUpApi(_AnonymousApi):
    """P01: create an account (policy accepted and storage outside Japan consented, or nothing)."""

    throttle_scope = "sign_up"

    @extend_schema(request=SignUpInput, responses={202: SignUpOutput})
    def post(self, request):
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_sign_up(**data.validated_data, ip=client_ip(request),
                                 user_agent=user_agent(request))
        # The same answer whether or not the address had an account (its owner is emailed).
        return Response({"detail": str(SIGN_UP_ACCEPTED)}, status=status.HTTP_202_ACCEPTED)


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                help_text=_("Staff: the current code of your authenticator app "
                                            "or a recovery code (required)."))


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class AuthTokenApi(_AnonymousApi):
    """P03: exchange username and password (and, for staff, the second factor `otp`) for a new
    API token that expires (throttled, django-axes lockout)."""

    throttle_scope = "auth_token"

    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        otp = data.validated_data.pop("otp")
        user = authenticate(request, **data.validated_data)
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return problem_response(
                    429, "locked_out",
                    str(services.LOCKOUT_MESSAGE))
            return problem_response(400, "invalid_credentials",
                                    str(services.INVALID_CREDENTIALS_MESSAGE))
        issued = services_auth.api_token_issue(user=user, otp=otp)
        return Response(TokenOutput({"token": issued.key, "expiry": issued.token.expiry}).data)


class RevokedOutput(serializers.Serializer):
    revoked = serializers.IntegerField()


class AuthTokenRevokeApi(APIView):
    """End the token this request is authenticated with (this device)."""

    @extend_schema(request=None, responses={200: RevokedOutput})
    def post(self, request):
        if request.auth is None:
            return problem_response(400, "no_token", str(NO_TOKEN_MESSAGE))
        return Response({"revoked": services_auth.api_token_revoke(user=request.user,
                                                                   token=request.auth)})


class AuthTokenRevokeAllApi(APIView):
    """Sign out everywhere: every token, session and persistent login of the account end
    (the session making the request, if any, stays)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        keep = request.session.session_key if request.auth is None else None
        services_auth.credentials_end_all(user=request.user, reason="signed_out_everywhere",
                                          keep_session_key=keep)
        return Response(status=status.HTTP_204_NO_CONTENT)


NO_TOKEN_MESSAGE = _("This request was not made with a token.")


class ProfileInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False, help_text=_(
        "Needs \"password\"; changes only once the new address confirms the link emailed to "
        "it (the old address is told, with a link to undo)."))
    password = serializers.CharField(required=False, write_only=True, trim_whitespace=False,
                                     max_length=4096, style={"input_type": "password"})
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
        changes = dict(data.validated_data)
        password = changes.pop("password", "")
        new_email = changes.pop("email", None)
        if new_email is not None and new_email.lower() != request.user.email.lower():
            if not password:
                message = str(PASSWORD_NEEDED_MESSAGE)
                raise DomainError(message, code="reauthentication_required",
                                  details={"password": [message]})
            services_auth.password_reverify(request=request, user=request.user,
                                            password=password)
        with transaction.atomic():
            if changes:
                services.profile_update(user=request.user, changes=changes, channel="api")
            if new_email is not None and new_email.lower() != request.user.email.lower():
                services_auth.email_change_request(user=request.user, new_email=new_email,
                                                   channel="api")
        request.user.refresh_from_db()
        return Response(UserOutput(request.user).data)


PASSWORD_NEEDED_MESSAGE = _("Changing the email address needs your current password as "
                            "\"password\".")
