"""Staff-side writes of the accounts app: the access log (P18) and the second factor.

Admin views, the staff API and the middleware call these; they never write themselves.
"""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts_app.models import StaffAccess, StaffAccessKind
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.rules import enforces

REASON_MAX_CHARS = 500
RECOVERY_CODES = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


def subject_label_for(*, subject=None, email: str = "") -> str:
    if subject is not None:
        return f"{subject.username} <{subject.email}>"[:254]
    return (email or "?")[:254]


@enforces("P18")
def staff_access_record(*, staff, what: str, reason: str, subject=None, subject_label: str = "",
                        object_ref: str = "", path: str = "",
                        now: datetime | None = None) -> StaffAccess:
    """P18: append one row saying who looked at whose personal data, what, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Please give a reason for opening this person's data."),
                          details={"reason": [_("This field is required.")]})
    if len(reason) > REASON_MAX_CHARS:
        raise DomainError(_("The reason is too long."),
                          details={"reason": [_("The reason is too long.")]})
    if what not in StaffAccessKind.values:
        raise DomainError(_("Unknown kind of access."), code="invalid_access_kind")
    with transaction.atomic():
        return StaffAccess.objects.create(
            staff=staff, subject=subject,
            subject_label=subject_label or subject_label_for(subject=subject),
            what=what, object_ref=object_ref[:200], path=path[:500], reason=reason,
            created_at=clock.now() if now is None else now,
        )


def staff_totp_device_start(*, user) -> TOTPDevice:
    """Enrolment, step 1: an unconfirmed authenticator device (reused until confirmed)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        return device


def staff_totp_device_confirm(*, user, device_id: int, token: str) -> tuple[TOTPDevice, list[str]]:
    """Enrolment, step 2: the first code proves the app holds the secret.

    Returns the confirmed device and fresh single-use recovery codes (shown once).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(
            user=user, pk=device_id, confirmed=False).first()
        if device is None:
            raise DomainError(_("Start the set-up again."), code="otp_device_missing")
        if not device.verify_token((token or "").strip()):
            raise DomainError(_("That code is not valid. Check the time on your phone and "
                                "try the current code."),
                              details={"token": [_("That code is not valid.")]})
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = staff_recovery_codes_renew(user=user)
        return device, codes


def staff_recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new single-use ones."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        return codes


def staff_second_factor_verify(*, user, token: str):
    """Check a second-factor code on every confirmed device of a member of staff (issue 19
    item 10). Returns (device, 0) when a device accepts it, else (None, seconds to wait): 0
    when the code is simply wrong, more when django-otp's throttle (each wrong code doubles
    the wait; `verify_is_allowed()`) refused to look at it, so the page can say how long."""
    import math

    from django_otp import devices_for_user

    wait = 0.0
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, data = device.verify_is_allowed()
            if not allowed:
                until = (data or {}).get("locked_until")
                if until is not None:
                    wait = max(wait, (until - clock.now()).total_seconds())
                continue
            if device.verify_token(token):
                return device, 0
    return None, max(0, math.ceil(wait))
