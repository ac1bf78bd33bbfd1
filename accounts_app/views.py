"""Portal views: sign-up, sign-in/out, email confirmation, password reset, account settings.

Views validate input with forms and call services; they never change state themselves.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts_app.forms import (
    CloseAccountForm,
    OutboxPasswordResetForm,
    ProfileForm,
    ServiceSetPasswordForm,
    SignInForm,
    SignUpForm,
)
from accounts_app.middleware import PERSISTENT_LOGIN_SESSION_KEY, PERSISTENT_LOGIN_TOUCHED_KEY
from accounts_app.models import User
from accounts_app.selectors import accounts as selectors
from accounts_app.services import accounts as services
from accounts_app.services import auth as services_auth
from accounts_app.services import data as services_data
from accounts_app.views_owned import Owned, form_add_errors, owned_delete_view
from ccucaas_privacy.errors import DomainError
from consent_app.selectors import policy_version_current

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_ip(request: HttpRequest) -> str | None:
    from accounts_app.middleware import _ip

    return _ip(request)


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:settings")
    form = SignUpForm(request.POST or None,
                      initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_sign_up(
                **form.cleaned_data, ip=client_ip(request), user_agent=user_agent(request))
        except ValidationError as exc:
            form.add_service_errors(services.validation_messages(exc))
        except DomainError as exc:
            form.add_service_errors(exc.details or {"__all__": [exc.message]})
        else:
            # Issue 17: the same answer whether or not the address already had an account
            # (its owner got an email instead); not signed in, so nothing tells them apart.
            return redirect("accounts:sign-up-sent")
    return render(request, "accounts_app/sign_up.html", {"form": form,
                                                         "policy": policy_version_current()})


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        remember = form.cleaned_data["remember_me"]
        if remember and not request.session.test_cookie_worked():
            # P11: without cookies a persistent login cannot work; do not pretend it does.
            form.add_error(None, form.error_messages["cookies_blocked"])
        else:
            _sign_in(request, form.get_user(), remember=remember)
            next_url = request.POST.get("next") or request.GET.get("next")
            if next_url and auth_views.url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()},
                    require_https=request.is_secure()):
                return redirect(next_url)
            return redirect(settings.LOGIN_REDIRECT_URL)
    request.session.set_test_cookie()
    return render(request, "accounts_app/sign_in.html",
                  {"form": form, "next": request.GET.get("next", ""),
                   "persistent_days": settings.PERSISTENT_LOGIN_DAYS})


def _sign_in(request: HttpRequest, user: User, *, remember: bool) -> None:
    request.session.delete_test_cookie()
    login(request, user)
    if not remember:
        request.session.set_expiry(0)  # P11: a browser-session cookie by default
        return
    request.session.set_expiry(settings.PERSISTENT_LOGIN_DAYS * 24 * 3600)
    persistent = services.persistent_login_create(
        user=user, session_key=request.session.session_key,
        user_agent=user_agent(request), ip=client_ip(request))
    request.session[PERSISTENT_LOGIN_SESSION_KEY] = str(persistent.public_id)
    request.session[PERSISTENT_LOGIN_TOUCHED_KEY] = persistent.last_used_at.timestamp()


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.persistent_login_end(session_key=request.session.session_key)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


def lockout(request: HttpRequest, original_response=None, credentials=None,
            *args, **kwargs) -> HttpResponse:
    """django-axes: too many failures. Says to wait; never whether the username exists."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return render(request, "accounts_app/locked_out.html", {"minutes": minutes}, status=429)


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.account_email_confirm(token=token)
    except DomainError as exc:
        return render(request, "accounts_app/message.html",
                      {"title": _("Email confirmation"), "text": exc.message}, status=400)
    return render(request, "accounts_app/message.html",
                  {"title": _("Email confirmation"),
                   "text": _("Thank you. Your email address is confirmed.")})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts_app/password_reset.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        """Rate-limited, looked up in the background (same time for any address)."""
        try:
            services_auth.password_reset_request(email=form.cleaned_data["email"],
                                                 client=client_ip(self.request))
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status)
        return redirect(self.success_url)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ServiceSetPasswordForm
    template_name = "accounts_app/form.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    extra_context = {"title": _("Choose a new password")}


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    current_hash = services.session_key_hash(request.session.session_key or "")
    return render(request, "accounts_app/settings.html", {
        "logins": selectors.persistent_logins_active_for_user(user=user),
        "current_hash": current_hash,
        "changes": selectors.profile_change_rows(user=user),
        "storage_used": selectors.storage_used_bytes(user=user),
    })


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            changed = services.profile_update(user=request.user, changes=changes, channel="portal")
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            services_data.usage_record(user=request.user, feature="profile_edit")
            messages.success(request, _("Your profile was updated.") if changed
                             else _("Nothing was changed."))
            return redirect("accounts:settings")
    return render(request, "accounts_app/form.html", {"form": form, "title": _("Edit profile")})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Every other browser, app and API token of the account is signed out (issue 17).
        services_auth.password_change(user=request.user,
                                      new_password=form.cleaned_data["new_password1"],
                                      keep_session_key=request.session.session_key)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:settings")
    return render(request, "accounts_app/form.html", {"form": form, "title": _("Change password")})


persistent_login_revoke = owned_delete_view(Owned(
    get=selectors.persistent_login_get_for_user, delete=services.persistent_login_revoke,
    arg="login", list_url="accounts:settings",
    deleted=gettext_lazy("That browser has been signed out.")))


@login_required
@require_POST
def persistent_logins_revoke_all(request: HttpRequest) -> HttpResponse:
    count = services.persistent_logins_revoke_all(user=request.user)
    messages.success(request, _("%(count)d signed-in browsers were signed out.") % {"count": count})
    return redirect("accounts:settings")


@login_required
def account_close(request: HttpRequest) -> HttpResponse:
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_close(user=request.user, reason=form.cleaned_data["reason"],
                               channel="portal")
        logout(request)
        return render(request, "accounts_app/message.html", {
            "title": _("Your account is closed"),
            "text": _("You have been signed out. Thank you for using CCUCaaS."),
        })
    return render(request, "accounts_app/close.html", {"form": form})
