"""Accounts (DESIGN section 3; RULES.md P10, P21): the user, the evidence of profile
changes and closures, sessions and persistent logins.
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel


class Language(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")



class CaseInsensitiveUserManager(UserManager):
    """Sign-in finds `Alice` when the account was created as `alice` (P01, P03)."""

    def get_by_natural_key(self, username: str):
        return self.get(username__iexact=username)



class User(AbstractUser):
    """An account holder of CCUCaaS. Username and email are unique case-insensitively (P01)."""

    email = models.EmailField(_("email address"))
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.JA
    )
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    # When the password was last proven to the API (POST /api/v1/auth/token/): disclosure and
    # deletion through the API need it to be recent, as the portal asks for it again.
    api_password_confirmed_at = models.DateTimeField(
        _("password last confirmed to the API at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseInsensitiveUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=_("A user with that username already exists."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with that email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.username



class ProfileChange(AppendOnlyModel):
    """P21: every self-service correction of the profile, with the old and the new value."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="profile_changes", verbose_name=_("user"))
    field = models.CharField(_("field"), max_length=64)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    channel = models.CharField(_("channel"), max_length=16)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.field}"



class AccountClosure(AppendOnlyModel):
    """Why and when an account was closed (kept as evidence)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="closures", verbose_name=_("user"))
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(_("channel"), max_length=16)
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account closure")
        verbose_name_plural = _("account closures")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason[:40]}"



class AccountSession(AbstractBaseSession):
    """Django's database session plus the signed-in user, so one login can be revoked (P11)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="sessions")

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts_app.sessions import SessionStore

        return SessionStore



class PersistentLogin(models.Model):
    """P11: a 「サインイン状態の維持」 login, linked to the user's email address at the time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="persistent_logins", verbose_name=_("user"))
    email = models.EmailField(_("email address"))
    session_key_hash = models.CharField(_("session key (SHA-256)"), max_length=64, unique=True)
    browser = models.CharField(_("browser"), max_length=64, blank=True)
    os = models.CharField(_("operating system"), max_length=64, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("revoked because"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("persistent login")
        verbose_name_plural = _("persistent logins")
        ordering = ["-last_used_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.browser} / {self.os}"
