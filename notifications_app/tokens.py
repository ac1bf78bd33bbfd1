"""Signed one-click unsubscribe tokens (RFC 8058). No session, no CSRF: the signature is the
authority. Salted, so no other signed value of this site is accepted as an unsubscribe token."""

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.errors import DomainError

SALT = "notifications_app.unsubscribe.marketing_email"


class InvalidUnsubscribeToken(DomainError):
    """The token was tampered with, or was signed for something else."""

    code = "unsubscribe_token_invalid"


def invalid_token_error() -> InvalidUnsubscribeToken:
    return InvalidUnsubscribeToken(str(_(
        "This unsubscribe link is not valid. It may have been changed or cut off; use the "
        "link from the email exactly as it is, or change your choice in account settings.")))


def unsubscribe_token_make(*, user_id: int) -> str:
    return signing.dumps({"u": user_id, "p": "marketing_email"}, salt=SALT, compress=False)


def unsubscribe_token_read(token: str) -> int:
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise invalid_token_error() from exc
    if not isinstance(payload, dict) or payload.get("p") != "marketing_email" \
            or not isinstance(payload.get("u"), int):
        raise invalid_token_error()
    return payload["u"]


def unsubscribe_url(*, user_id: int) -> str:
    from django.urls import reverse

    path = reverse("notifications_unsubscribe",
                   kwargs={"token": unsubscribe_token_make(user_id=user_id)})
    return settings.SITE_URL.rstrip("/") + path
