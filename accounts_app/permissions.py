"""The second factor on the staff API (issue 17).

A staff operation of the API needs a member of staff who passed the second factor: a token
issued with a TOTP or recovery code (`ApiToken.second_factor`), or a session django-otp has
verified (OTPMiddleware's `user.is_verified()`). A password-only token or session gets 403
`second_factor_required`. Staff permission classes (requests_app/api.py, notifications_app/api.py,
new apps) call `staff_second_factor_check` after deciding that the user is staff who may act.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from accounts_app.models_auth import ApiToken

SECOND_FACTOR_MESSAGE = _("The staff API needs the second factor: a token issued with your "
                          "authenticator code (\"otp\" at POST /api/v1/auth/token/), or an "
                          "admin session verified with it.")


def second_factor_passed(request) -> bool:
    token = request.auth
    if isinstance(token, ApiToken):
        return token.second_factor
    if token is None:  # session authentication: the django-otp verified flag
        is_verified = getattr(request.user, "is_verified", None)
        return bool(callable(is_verified) and is_verified())
    return False


def staff_second_factor_check(request) -> bool:
    """True when the second factor was passed; otherwise raises 403 second_factor_required."""
    if not second_factor_passed(request):
        raise PermissionDenied(SECOND_FACTOR_MESSAGE, code="second_factor_required")
    return True
