"""Staff sign in to the admin with a second factor (TOTP via django-otp; issue 9, P18).

Runs after django-otp's OTPMiddleware (which sets `request.user.is_verified()`). A staff user
signed in with a password only is sent to enter a code, or to enrol an authenticator on the
first sign-in; admin pages stay closed until then. The admin's own sign-in and sign-out pages
stay open.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

OPEN_ADMIN_VIEWS = ("admin:login", "admin:logout", "admin:jsi18n")


def second_factor_redirect(request: HttpRequest) -> HttpResponseRedirect:
    name = "accounts:staff-2fa" if user_has_device(request.user) else "accounts:staff-2fa-setup"
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def needs_second_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff
                and not user.is_verified())


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_root = reverse("admin:index")
        if request.path.startswith(admin_root) and not self._open(request) \
                and needs_second_factor(request):
            return second_factor_redirect(request)
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        return any(request.path == reverse(name) for name in OPEN_ADMIN_VIEWS)
