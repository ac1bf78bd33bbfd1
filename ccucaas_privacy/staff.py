"""Who the staff are and what they may do: the look-ups every app shares (issue 9, issue 17; P18).

The core holds them so that any app (notifications' campaign alerts, incidents' deadline alerts,
the staff APIs) can ask without importing the app that defines the permissions. They need only
django.contrib.auth (group names, permission strings), django-otp's verified flag and knox's token
model: accounts_app/roles.py grants the groups their permissions; requests_app defines the
`requests_app.*` permissions named here.

The second factor on the staff API (issue 17): a staff operation needs a member of staff who passed
it, through a token issued with a TOTP or recovery code (the knox token model's `second_factor`,
accounts_app.models.auth.ApiToken) or a session django-otp verified (OTPMiddleware's
`user.is_verified()`). A password-only token or session gets 403 `second_factor_required`. Staff
permission classes call `staff_second_factor_check` after deciding that the user may act.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from knox.models import get_token_model
from rest_framework.exceptions import PermissionDenied

from ccucaas_privacy.rules import enforces

PRIVACY_OFFICER = "Privacy officer"
SUPPORT_AGENT = "Support agent"

SECOND_FACTOR_MESSAGE = _("The staff API needs the second factor: a token issued with your "
                          "authenticator code (\"otp\" at POST /api/v1/auth/token/), or an "
                          "admin session verified with it.")


def privacy_officers() -> QuerySet:
    """Active users to alert about deadlines: the "Privacy officer" group plus superusers."""
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(groups__name=PRIVACY_OFFICER) | Q(is_superuser=True))
            .distinct().order_by("pk"))


def staff_members() -> QuerySet:
    """Who may be assigned a request: privacy officers, support agents and superusers."""
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(groups__name__in=[PRIVACY_OFFICER, SUPPORT_AGENT]) | Q(is_superuser=True))
            .distinct().order_by("pk"))


@enforces("P18")
def staff_can_view(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and user.has_perm("requests_app.view_datasubjectrequest"))


def staff_can_decide(user) -> bool:
    """Assign, reply and reject: privacy officers (and superusers)."""
    return bool(staff_can_view(user) and user.has_perm("requests_app.change_datasubjectrequest"))


def staff_can_reply(user) -> bool:
    """Reply: privacy officers, and support agents, who draft and send replies (issue 9)."""
    return bool(staff_can_view(user) and (
        user.has_perm("requests_app.change_datasubjectrequest")
        or user.has_perm("requests_app.reply_datasubjectrequest")))


def staff_can_reject(user) -> bool:
    return bool(staff_can_view(user) and (
        user.has_perm("requests_app.change_datasubjectrequest")
        or user.has_perm("requests_app.reject_datasubjectrequest")))


def staff_can_verify(user) -> bool:
    return bool(staff_can_view(user) and user.has_perm("requests_app.verify_identity"))


def second_factor_passed(request) -> bool:
    token = request.auth
    if isinstance(token, get_token_model()):
        return bool(token.second_factor)
    if token is None:  # session authentication: the django-otp verified flag
        is_verified = getattr(request.user, "is_verified", None)
        return bool(callable(is_verified) and is_verified())
    return False


@enforces("P18")
def staff_second_factor_check(request) -> bool:
    """True when the second factor was passed; otherwise raises 403 second_factor_required."""
    if not second_factor_passed(request):
        raise PermissionDenied(SECOND_FACTOR_MESSAGE, code="second_factor_required")
    return True
