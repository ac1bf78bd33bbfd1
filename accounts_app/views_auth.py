"""Portal views of issue 17: the sign-up answer, email change (password, confirmation by the
new address, undo by the old one) and "sign out everywhere". They call services only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts_app.forms import EmailChangeForm
from accounts_app.services import auth as services_auth
from ccucaas_privacy.errors import DomainError


def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts_app/message.html", {
        "title": _("Check your email"),
        "text": _("If the address can be used, we sent an email to it: open the link in it to "
                  "confirm your address, then sign in. If the address already has an account, "
                  "its owner was told instead."),
    })


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_auth.password_reverify(request=request, user=request.user,
                                            password=form.cleaned_data["password"])
            services_auth.email_change_request(user=request.user, channel="portal",
                                               new_email=form.cleaned_data["new_email"])
        except DomainError as exc:
            for field, msgs in (exc.details or {"__all__": [exc.message]}).items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
            if getattr(request, "axes_locked_out", False):
                return redirect("accounts:sign-in")
        else:
            messages.success(request, _("We sent a confirmation link to the new address. Your "
                                        "email address changes when you open it."))
            return redirect("accounts:settings")
    return render(request, "accounts_app/form.html",
                  {"form": form, "title": _("Change email address")})


def _email_link(request: HttpRequest, action, done: str) -> HttpResponse:
    title = _("Email address")
    try:
        action()
    except DomainError as exc:
        return render(request, "accounts_app/message.html", {"title": title, "text": exc.message},
                      status=400)
    return render(request, "accounts_app/message.html", {"title": title, "text": done})


def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _email_link(request, lambda: services_auth.email_change_confirm(token=token),
                       _("Thank you. Your new email address is confirmed and in use."))


def email_change_undo(request: HttpRequest, token: str) -> HttpResponse:
    # The service ends every session of the account, this browser's too if it is signed in.
    return _email_link(request, lambda: services_auth.email_change_undo(token=token),
                       _("The email change was undone and every sign-in to the account was "
                         "ended. If you did not ask for the change, choose a new password."))


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services_auth.credentials_end_all(user=request.user, reason="signed_out_everywhere",
                                      keep_session_key=request.session.session_key)
    messages.success(request, _("Every other browser, app and API token was signed out."))
    return redirect("accounts:settings")
