"""Account services: sign-up, email confirmation, profile, passwords, persistent logins, closing.

Every function is one transaction; views, API views, forms and tasks call these and never
change state themselves. Personal-data services (contacts, files, usage, visitor log, payment
references, forum posts) are in `services_data.py`.
"""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts_app.hooks import account_closed
from accounts_app.models import (
    AccountClosure,
    AccountSession,
    Language,
    PersistentLogin,
    ProfileChange,
    User,
)
from accounts_app.useragent import agent_parse
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.rules import enforces
from consent_app.selectors import policy_version_current
from consent_app.services import consent_grant, policy_accept
from notifications_app.services.campaigns import campaign_enroll_user
from notifications_app.services.outbox import notification_queue

EMAIL_CONFIRMATION_KIND = "account_email_confirmation"
PASSWORD_RESET_KIND = "account_password_reset"  # noqa: S105 - an email kind, not a secret
EMAIL_CONFIRMATION_SALT = "accounts_app.email-confirmation"
EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=7)
LOCKOUT_MESSAGE = _(
    "Too many failed sign-in attempts. Please wait a while before trying again."
)
INVALID_CREDENTIALS_MESSAGE = _("The username or password is not correct.")
# P21: what a user corrects in account settings; each change is logged with old and new value.
PROFILE_FIELDS = ("username", "email", "first_name", "last_name", "language")


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    language: str = Language.JA,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account after validating the case-insensitive uniqueness constraints."""
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        language=language,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _localised_path(language: str, viewname: str, *args: Any) -> str:
    with translation.override(language):
        return reverse(viewname, args=args)


@enforces("P01", "P02", "P07")
@transaction.atomic
def account_sign_up_problems(*, username: str, email: str, password: str, accept_policy: bool,
                             consent_cross_border_storage: bool) -> dict[str, list[str]]:
    """Every reason `account_sign_up` would refuse these answers, all at once (the sign-up
    form shows them in one round, issue 19): the policy and storage consents (P01, P07) and
    the password validators. Reads nothing, writes nothing."""
    problems: dict[str, list[str]] = {}
    if not accept_policy:
        problems["accept_policy"] = [_("You must accept the privacy policy to create an account.")]
    if not consent_cross_border_storage:
        problems["consent_cross_border_storage"] = [
            _("You must consent to storage of your account data outside Japan to create an account.")
        ]
    try:
        password_validation.validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        problems["password"] = list(exc.messages)
    return problems


def account_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    language: str = Language.JA,
    accept_policy: bool,
    consent_cross_border_storage: bool,
    marketing_email: bool = False,
    ip: str | None = None,
    user_agent: str = "",
) -> User | None:
    """P01: create the account only with the current policy accepted and consent to storage
    outside Japan (P07); record both, and the optional marketing consent (P02), in the consent
    ledger; queue the email-address confirmation. All or nothing.

    An address that already has an account creates nothing and returns None; its owner gets
    an email instead (issue 17): the caller answers the same either way, so sign-up does not
    tell whether an address is registered. The password is hashed all the same (same time)."""
    # Imported here: the consent app builds on the accounts app, not the other way round.

    problems = account_sign_up_problems(
        username=username, email=email, password=password, accept_policy=accept_policy,
        consent_cross_border_storage=consent_cross_border_storage)
    missing = {key: value for key, value in problems.items() if key != "password"}
    if missing:
        raise DomainError(str(_("The account was not created.")), code="consent_required",
                          details=missing)
    if "password" in problems:
        raise ValidationError({"password": problems["password"]})
    version = policy_version_current()
    if version is None:
        raise DomainError(str(_("No privacy policy is in effect; sign-up is not possible now.")),
                          code="no_policy", status=409)
    if User.objects.filter(email__iexact=User.objects.normalize_email(email).strip()).exists():
        User(username=username).full_clean(exclude=["password", "email"])  # username errors
        make_password(password)
        from accounts_app.services.auth import sign_up_existing_notify

        sign_up_existing_notify(email=email.strip())
        return None
    user = user_create(username=username, email=email, password=password, language=language)
    meta = {"ip": ip, "user_agent": user_agent[:512]}
    policy_accept(user=user, version=version, channel="signup", **meta)
    consent_grant(user=user, purpose="cross_border_storage", channel="signup",
                  policy_version=version, **meta)
    if marketing_email:
        consent_grant(user=user, purpose="marketing_email", channel="signup",
                      policy_version=version, **meta)
    email_confirmation_queue(user=user)
    # P25/P17: a notice published before sign-up and not yet in effect reaches this user too.

    campaign_enroll_user(user=user)
    return user


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


@transaction.atomic
def email_confirmation_queue(*, user: User):
    """Queue the email asking the user to confirm their address (one per address)."""
    token = signing.dumps({"u": user.pk, "e": _email_digest(user.email)},
                          salt=EMAIL_CONFIRMATION_SALT)
    path = _localised_path(user.language, "accounts:confirm-email", token)
    return notification_queue(
        kind=EMAIL_CONFIRMATION_KIND,
        cause=f"account:{user.pk}:email-confirmation:{_email_digest(user.email)}",
        context={"confirm_url": _site_url(path), "username": user.username},
        user=user,
    )


@enforces("P01")
@transaction.atomic
def account_email_confirm(*, token: str) -> User:
    """Mark the address confirmed; the link expires and stops working if the address changed."""
    invalid = DomainError(str(_("This confirmation link is invalid or has expired.")),
                          code="invalid_link")
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRMATION_SALT,
                             max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except signing.BadSignature as exc:
        raise invalid from exc
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or _email_digest(user.email) != data.get("e"):
        raise invalid
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        user.save(update_fields=["email_confirmed_at", "updated_at"])
    return user


@enforces("P21")
@transaction.atomic
def profile_update(*, user: User, changes: dict[str, Any], channel: str) -> list[ProfileChange]:
    """P21: self-service correction. Validates everything first; logs each changed field."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(str(_("These fields cannot be changed here.")), code="invalid",
                          details={name: [_("Not a profile field.")] for name in sorted(unknown)})
    user = User.objects.select_for_update().get(pk=user.pk)
    if "email" in changes:
        changes = {**changes, "email": User.objects.normalize_email(changes["email"])}
    before = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean()
    changed = [name for name in changes if before[name] != getattr(user, name)]
    if "email" in changed:
        user.email_confirmed_at = None
    user.save()
    log = [
        ProfileChange.objects.create(user=user, field=name, old_value=str(before[name]),
                                     new_value=str(getattr(user, name)), channel=channel)
        for name in changed
    ]
    if "email" in changed:
        email_confirmation_queue(user=user)
    return log


@transaction.atomic
def password_reset_email_queue(*, user: User, reset_path: str, token: str):
    """Password reset by email, through the outbox (never `send_mail`)."""
    return notification_queue(
        kind=PASSWORD_RESET_KIND,
        cause=f"account:{user.pk}:password-reset:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
        context={"reset_url": _site_url(reset_path), "username": user.username},
        user=user,
    )


def session_key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


@enforces("P11")
@transaction.atomic
def persistent_login_create(*, user: User, session_key: str, user_agent: str = "",
                            ip: str | None = None) -> PersistentLogin:
    """P11: record a 「サインイン状態の維持」 login, linked to the user's email address.

    Ticking the box is the user's choice of a persistent cookie: the consent ledger records it
    as the `persistent_login` purpose (idempotent while granted).
    """
    now = clock.now()
    agent = agent_parse(user_agent)
    login = PersistentLogin.objects.create(
        user=user, email=user.email, session_key_hash=session_key_hash(session_key),
        browser=agent.browser, os=agent.os, device=agent.device, ip=ip,
        last_used_at=now, expires_at=now + timedelta(days=settings.PERSISTENT_LOGIN_DAYS),
    )
    consent_grant(user=user, purpose="persistent_login", channel="portal", ip=ip,
                  user_agent=user_agent)
    return login


@transaction.atomic
def persistent_login_touch(*, public_id: str, ip: str | None = None) -> None:
    PersistentLogin.objects.filter(public_id=public_id, revoked_at__isnull=True).update(
        last_used_at=clock.now(), **({"ip": ip} if ip else {})
    )


def _sessions_delete(*, user: User, key_hashes: set[str] | None = None) -> int:
    """Delete the user's sessions (all, or those whose key hashes to one of `key_hashes`)."""
    keys = [
        key for key in AccountSession.objects.filter(user=user).values_list("session_key", flat=True)
        if key_hashes is None or session_key_hash(key) in key_hashes
    ]
    deleted, _rows = AccountSession.objects.filter(session_key__in=keys).delete()
    return deleted


@enforces("P11")
@transaction.atomic
def persistent_login_revoke(*, login: PersistentLogin, reason: str = "revoked") -> PersistentLogin:
    """P11: end one persistent login; its session is deleted, so that browser is signed out."""
    login = PersistentLogin.objects.select_for_update().get(pk=login.pk)
    if login.revoked_at is None:
        login.revoked_at = clock.now()
        login.revoked_reason = reason
        login.save(update_fields=["revoked_at", "revoked_reason"])
    _sessions_delete(user=login.user, key_hashes={login.session_key_hash})
    return login


@enforces("P11")
@transaction.atomic
def persistent_logins_revoke_all(*, user: User, reason: str = "revoked") -> int:
    """P11: end every persistent login of the user at once."""
    logins = list(PersistentLogin.objects.select_for_update()
                  .filter(user=user, revoked_at__isnull=True))
    PersistentLogin.objects.filter(pk__in=[x.pk for x in logins]).update(
        revoked_at=clock.now(), revoked_reason=reason
    )
    _sessions_delete(user=user, key_hashes={x.session_key_hash for x in logins})
    return len(logins)


@enforces("P11")
@transaction.atomic
def persistent_login_end(*, session_key: str | None) -> None:
    """P11: signing out ends the persistent login of that browser."""
    if session_key:
        PersistentLogin.objects.filter(
            session_key_hash=session_key_hash(session_key), revoked_at__isnull=True
        ).update(revoked_at=clock.now(), revoked_reason="signed_out")


@enforces("P21")
@transaction.atomic
def account_close(*, user: User, reason: str = "", channel: str) -> AccountClosure:
    """Close the account: deactivate it, end every login and record why.

    Calls the `account_closed` hook (accounts_app/hooks.py) with `user` and `closure` inside this
    transaction: requests_app files the deletion request there (P21).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise DomainError(str(_("This account is already closed.")), code="closed", status=409)
    closure = AccountClosure.objects.create(user=user, reason=reason[:2000], channel=channel)
    from accounts_app.services.auth import account_deactivate

    account_deactivate(user=user, reason="closed")  # tokens, sessions, kept logins
    account_closed.call(user=user, closure=closure)
    return closure


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]} for forms and the API."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


@transaction.atomic
def api_password_confirm(*, request, user: User, password: str) -> None:
    """The API's "enter your password again" (disclosure and deletion, as in the portal): check
    it through the authentication backends, so django-axes counts and locks out failures, and
    record the proof. Raises DomainError (400) when it is wrong."""
    from django.contrib.auth import authenticate

    checked = authenticate(request, username=user.get_username(), password=password)
    if checked is None or checked.pk != user.pk:
        message = _("The password is not correct.")
        raise DomainError(message, code="invalid_password", details={"password": [message]})
    _api_password_confirmed(user)


def _api_password_confirmed(user: User) -> None:
    now = clock.now()
    User.objects.filter(pk=user.pk).update(api_password_confirmed_at=now)
    user.api_password_confirmed_at = now


@enforces("P03")
def auth_token_issue(*, user: User, otp: str = "") -> str:
    """The key of a new API token (django-rest-knox, expiring; see
    `services_auth.api_token_issue`, which also needs `otp` for staff). Called once the
    password was checked, so it also records when the password was last proven to the API
    (disclosure and deletion through the API need that to be recent)."""
    from accounts_app.services.auth import api_token_issue

    return api_token_issue(user=user, otp=otp).key
