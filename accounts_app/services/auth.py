"""Credentials (issue 17): API tokens, ending every login at once, email changes, password
resets.

- API tokens are django-rest-knox tokens (accounts_app.ApiToken): only a digest is stored,
  each expires (staff after STAFF_TOKEN_TTL_HOURS, users after USER_TOKEN_TTL_DAYS) and can be
  revoked one by one or all at once. A staff token needs the second factor.
- A password change or reset, "sign out everywhere" and deactivation end every token, session
  and persistent login of the user, except the session that made the change.
- An email change needs the current password (checked by the caller), takes effect when the
  new address confirms a signed, expiring link, and the old address is told, with a link that
  undoes it.
- A password reset is rate-limited per address and per client and looked up in a Celery task,
  so that a known and an unknown address take the same time to answer; it only ever goes to a
  confirmed address.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device

from accounts_app.models import (
    AccountSession,
    ApiToken,
    EmailChange,
    PersistentLogin,
    ProfileChange,
    User,
)
from accounts_app.services.accounts import (
    _api_password_confirmed,
    _localised_path,
    _site_url,
    session_key_hash,
)
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.ratelimit import rate_limit_hit
from notifications_app.services.outbox import notification_queue

logger = logging.getLogger(__name__)
EMAIL_CHANGE_CONFIRM_KIND = "account_email_change_confirm"
EMAIL_CHANGE_NOTICE_KIND = "account_email_change_notice"
SIGN_UP_EXISTING_KIND = "account_sign_up_existing"
EMAIL_CHANGE_CONFIRM_SALT = "accounts_app.email-change.confirm"
EMAIL_CHANGE_UNDO_SALT = "accounts_app.email-change.undo"
SECOND_FACTOR_REQUIRED = _("Staff accounts need the second factor: send the current code of "
                           "your authenticator app, or a recovery code, as \"otp\".")
SECOND_FACTOR_NOT_SET_UP = _("Staff accounts need the second factor: set up an authenticator "
                             "in the admin first.")
SECOND_FACTOR_WRONG = _("The second-factor code is not correct.")
INVALID_EMAIL_LINK = _("This link is invalid or has expired.")
RESET_RATE_LIMITED = _("Too many password reset requests. Please wait a while and try again.")


# --- API tokens -----------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedToken:
    key: str  # shown once; only its digest is stored
    token: ApiToken


def api_token_ttl(*, user: User) -> timedelta:
    if user.is_staff:
        return timedelta(hours=settings.STAFF_TOKEN_TTL_HOURS)
    return timedelta(days=settings.USER_TOKEN_TTL_DAYS)


@transaction.atomic
def api_token_issue(*, user: User, otp: str = "") -> IssuedToken:
    """A new token for one client (device) of a user whose password was just checked.

    Staff: `otp` must be a current TOTP code or an unused recovery code (django-otp verifies
    it and uses a recovery code up); without it nothing is issued (403 second_factor_required).
    Also records that the password was proven to the API (disclosure and deletion need that).
    """
    second_factor = False
    if user.is_staff:
        if not otp:
            message = SECOND_FACTOR_REQUIRED if user_has_device(user) else SECOND_FACTOR_NOT_SET_UP
            raise DomainError(str(message), code="second_factor_required", status=403,
                              details={"otp": [str(message)]})
        if match_token(user, otp) is None:
            raise DomainError(str(SECOND_FACTOR_WRONG), code="second_factor_invalid", status=403,
                              details={"otp": [str(SECOND_FACTOR_WRONG)]})
        second_factor = True
    token, key = ApiToken.objects.create(user=user, expiry=api_token_ttl(user=user),
                                         second_factor=second_factor)
    _api_password_confirmed(user)
    return IssuedToken(key=key, token=token)


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> int:
    """End one token (this device) of the user."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token.pk).delete()
    return deleted


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def credentials_end_all(*, user: User, reason: str, keep_session_key: str | None = None) -> None:
    """End every API token, session and persistent login of the user, except the session
    `keep_session_key` (the browser that made the change) and its persistent login."""
    keep_hash = session_key_hash(keep_session_key) if keep_session_key else None
    logins = (PersistentLogin.objects.select_for_update()
              .filter(user=user, revoked_at__isnull=True).exclude(session_key_hash=keep_hash))
    PersistentLogin.objects.filter(pk__in=[x.pk for x in logins]).update(
        revoked_at=clock.now(), revoked_reason=reason)
    AccountSession.objects.filter(user=user).exclude(session_key=keep_session_key or "").delete()
    api_tokens_revoke_all(user=user)


@transaction.atomic
def account_deactivate(*, user: User, reason: str) -> None:
    """Deactivate the account and end every login of it at once: API tokens, sessions, kept
    logins (P11). Closing the account and a deletion (requests_app's fulfilment) both do this."""
    User.objects.filter(pk=user.pk).update(is_active=False, updated_at=clock.now())
    user.is_active = False
    credentials_end_all(user=user, reason=reason)


@transaction.atomic
def password_change(*, user: User, new_password: str, keep_session_key: str | None) -> None:
    """A new password ends every other login of the user (tokens, sessions, kept logins)."""
    password_validation.validate_password(new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    credentials_end_all(user=user, reason="password_changed", keep_session_key=keep_session_key)


@transaction.atomic
def password_reset_complete(*, user: User, new_password: str) -> None:
    """The reset link was followed: new password, and every login of the user ends."""
    password_change(user=user, new_password=new_password, keep_session_key=None)


# --- password reset requests -----------------------------------------------------------------

def password_reset_request(*, email: str, client: str | None) -> None:
    """Count the request per address and per client (Django's cache); over either limit it is
    refused (429) and nothing is queued. Otherwise a task looks the address up after commit,
    so this returns in the same time whether or not the address has an account."""
    from accounts_app.tasks import password_reset_send

    address = User.objects.normalize_email(email).lower()
    window = settings.PASSWORD_RESET_RATE_WINDOW_SECONDS
    digest = hashlib.sha256(address.encode()).hexdigest()
    over_email = rate_limit_hit(scope="password_reset_email", client=digest,
                                limit=settings.PASSWORD_RESET_RATE_PER_EMAIL,
                                window_seconds=window)
    over_client = rate_limit_hit(scope="password_reset_client", client=client,
                                 limit=settings.PASSWORD_RESET_RATE_PER_CLIENT,
                                 window_seconds=window)
    if over_email or over_client:
        raise DomainError(str(RESET_RATE_LIMITED), code="throttled", status=429)

    def enqueue() -> None:
        try:
            password_reset_send.delay(email=address)
        except Exception:  # broker down: the same answer; the user can ask again later
            logger.exception("password reset: could not enqueue the look-up task")

    transaction.on_commit(enqueue)


def password_reset_users(*, email: str) -> list[User]:
    """Who may get a reset link for `email`: active accounts with a usable password whose
    address is confirmed (never an unconfirmed or pending address)."""
    return [user for user in User.objects.filter(email__iexact=email, is_active=True,
                                                 email_confirmed_at__isnull=False)
            if user.has_usable_password()]


@transaction.atomic
def password_reset_emails_queue(*, email: str) -> int:
    """Queue the reset email (outbox) for each account `password_reset_users` finds."""
    from accounts_app.services.accounts import password_reset_email_queue

    users = password_reset_users(email=email)
    for user in users:
        token = default_token_generator.make_token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        path = _localised_path(user.language, "accounts:password-reset-confirm", uid, token)
        password_reset_email_queue(user=user, reset_path=path, token=token)
    return len(users)


# --- email change ---------------------------------------------------------------------------

def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


@transaction.atomic
def email_change_request(*, user: User, new_email: str, channel: str) -> EmailChange | None:
    """Ask the new address to confirm (signed link, EMAIL_CHANGE_CONFIRM_HOURS) and tell the
    old one (with an undo link). The address stays as it is until confirmed. The caller has
    checked the current password. An address another account uses gets nothing (the answer
    is the same, so it does not tell whether it is registered)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    new_email = User.objects.normalize_email(new_email.strip())
    if _same(new_email, user.email):
        message = _("This is already your email address.")
        raise DomainError(str(message), code="invalid", details={"email": [str(message)]})
    now = clock.now()
    EmailChange.objects.filter(user=user, confirmed_at__isnull=True,
                               undone_at__isnull=True).update(undone_at=now)  # superseded
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        return None
    change = EmailChange.objects.create(user=user, old_email=user.email, new_email=new_email,
                                        channel=channel, requested_at=now)
    _email_change_mails_queue(user=user, change=change)
    return change


def _email_change_mails_queue(*, user: User, change: EmailChange) -> None:
    ref = str(change.public_id)
    confirm = signing.dumps({"c": ref}, salt=EMAIL_CHANGE_CONFIRM_SALT)
    undo = signing.dumps({"c": ref}, salt=EMAIL_CHANGE_UNDO_SALT)
    confirm_url = _site_url(_localised_path(user.language, "accounts:email-change-confirm",
                                            confirm))
    undo_url = _site_url(_localised_path(user.language, "accounts:email-change-undo", undo))
    notification_queue(kind=EMAIL_CHANGE_CONFIRM_KIND, cause=f"email-change:{ref}:confirm",
                       context={"confirm_url": confirm_url, "username": user.username,
                                "hours": settings.EMAIL_CHANGE_CONFIRM_HOURS},
                       email=change.new_email, language=user.language)
    notification_queue(kind=EMAIL_CHANGE_NOTICE_KIND, cause=f"email-change:{ref}:notice",
                       context={"undo_url": undo_url, "username": user.username,
                                "new_email": change.new_email,
                                "days": settings.EMAIL_CHANGE_UNDO_DAYS},
                       user=user)


def _change_from(token: str, *, salt: str, max_age: timedelta) -> EmailChange:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:
        raise DomainError(str(INVALID_EMAIL_LINK), code="invalid_link") from exc
    change = (EmailChange.objects.select_for_update().select_related("user")
              .filter(public_id=data.get("c"), undone_at__isnull=True).first())
    if change is None or not change.user.is_active:
        raise DomainError(str(INVALID_EMAIL_LINK), code="invalid_link")
    return change


def _email_set(*, user: User, email: str, channel: str, now: datetime) -> None:
    old = user.email
    user.email = email
    user.email_confirmed_at = now
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "email_confirmed_at", "updated_at"])
    ProfileChange.objects.create(user=user, field="email", old_value=old, new_value=email,
                                 channel=channel)


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    """The new address confirmed: it becomes the account's (confirmed) address, logged."""
    change = _change_from(token, salt=EMAIL_CHANGE_CONFIRM_SALT,
                          max_age=timedelta(hours=settings.EMAIL_CHANGE_CONFIRM_HOURS))
    user = User.objects.select_for_update().get(pk=change.user_id)
    taken = User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists()
    if change.confirmed_at is not None or not _same(user.email, change.old_email) or taken:
        raise DomainError(str(INVALID_EMAIL_LINK), code="invalid_link")
    now = clock.now()
    _email_set(user=user, email=change.new_email, channel=change.channel, now=now)
    change.confirmed_at = now
    change.save(update_fields=["confirmed_at"])
    return user


@transaction.atomic
def email_change_undo(*, token: str) -> User:
    """The old address says it was not them: the change is cancelled (or reverted, if it was
    confirmed) and every login of the account ends."""
    change = _change_from(token, salt=EMAIL_CHANGE_UNDO_SALT,
                          max_age=timedelta(days=settings.EMAIL_CHANGE_UNDO_DAYS))
    user = User.objects.select_for_update().get(pk=change.user_id)
    now = clock.now()
    if change.confirmed_at is not None:
        if not _same(user.email, change.new_email):
            raise DomainError(str(INVALID_EMAIL_LINK), code="invalid_link")
        _email_set(user=user, email=change.old_email, channel="undo", now=now)
    change.undone_at = now
    change.save(update_fields=["undone_at"])
    credentials_end_all(user=user, reason="email_change_undone")
    return user


# --- sign-up with an address already registered ---------------------------------------------

@transaction.atomic
def sign_up_existing_notify(*, email: str) -> None:
    """Someone signed up with an address that has an account: its owner is told (outbox),
    the one who signed up learns nothing."""
    owner = User.objects.filter(email__iexact=email).first()
    if owner is None:
        return
    path = _localised_path(owner.language, "accounts:password-reset")
    day = clock.jst_date(clock.now()).isoformat()
    notification_queue(kind=SIGN_UP_EXISTING_KIND, cause=f"account:{owner.pk}:sign-up-again:{day}",
                       context={"username": owner.username,
                                "reset_url": _site_url(path),
                                "sign_in_url": _site_url(_localised_path(
                                    owner.language, "accounts:sign-in"))},
                       user=owner)


def password_reverify(*, request, user: User, password: str) -> None:
    """"Enter your current password": checked through the authentication backends, so
    django-axes counts and locks out failures. Raises DomainError (400) when it is wrong."""
    from django.contrib.auth import authenticate

    checked = authenticate(request, username=user.get_username(), password=password)
    if checked is None or checked.pk != user.pk:
        message = _("The password is not correct.")
        raise DomainError(str(message), code="invalid_password",
                          details={"password": [str(message)]})
