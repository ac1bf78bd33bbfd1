"""Signing staff in to the admin the real way: password, then a TOTP code computed from the
device's key (the same arithmetic as an authenticator app). No bypass exists in the code."""

import time

from django.test import Client
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts_app.services import staff as services_staff


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """RFC 6238: HOTP of the number of time steps since t0 (what the phone shows)."""
    now = time.time() if at is None else at
    counter = int((now - device.t0) // device.step) + device.drift
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


def staff_device(user) -> TOTPDevice:
    """Enrol an authenticator through the services, as the set-up page does."""
    device = services_staff.staff_totp_device_start(user=user)
    device, _codes = services_staff.staff_totp_device_confirm(
        user=user, device_id=device.pk, token=totp_code(device))
    return device


def staff_sign_in(client: Client, user, *, device: TOTPDevice | None = None) -> Client:
    """Session sign-in plus the second step through the verification page (a fresh device
    each time, so a code is never replayed)."""
    client.force_login(user)
    device = device or staff_device(user)
    # A code already used (enrolment) cannot be replayed: take the next time step's code,
    # which the device accepts within its tolerance.
    code = totp_code(device, at=time.time() + device.step)
    response = client.post("/staff/two-factor/", {"token": code, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def recovery_code(user) -> str:
    """An unused recovery code of the user (enrolling an authenticator first if none)."""
    from django_otp.plugins.otp_static.models import StaticToken

    if not StaticToken.objects.filter(device__user=user).exists():
        staff_device(user)
    return StaticToken.objects.filter(device__user=user).first().token


def staff_api_token(user) -> str:
    """A staff API token the real way: password checked by the caller's scenario, second
    factor a recovery code (used up, as django-otp does), through the token service."""
    from accounts_app.services.accounts import auth_token_issue

    return auth_token_issue(user=user, otp=recovery_code(user))


def api_token(user) -> str:
    """The API token POST /api/v1/auth/token/ gives: staff with the second factor."""
    from accounts_app.services.accounts import auth_token_issue

    return staff_api_token(user) if user.is_staff else auth_token_issue(user=user)


def api_client(user=None, *, access_reason: str | None = None):
    """A REST client with the token POST /api/v1/auth/token/ gives `user` (none: anonymous);
    with `access_reason`, the X-Access-Reason header staff send to open personal data (P18)."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        headers = {"HTTP_AUTHORIZATION": f"Token {api_token(user)}"}
        if access_reason is not None:
            headers["HTTP_X_ACCESS_REASON"] = access_reason
        client.credentials(**headers)
    return client


def privacy_officer_make(make_user):
    """A staff user in the "Privacy officer" group (po@ccucaas.example)."""
    from django.contrib.auth.models import Group

    user = make_user("po", email="po@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Privacy officer"))
    return user
