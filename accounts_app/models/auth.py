"""Credentials of the API and pending email changes (issue 17).

`ApiToken` is django-rest-knox's token (only a SHA-512 digest of the key is stored, each has
an expiry; KNOX_TOKEN_MODEL points here) plus whether the second factor was passed when it
was issued: the staff API accepts only such tokens.

`EmailChange` is an email change waiting for the new address to confirm it; the old address
is told and can undo it. Imported by `accounts_app.models`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    second_factor = models.BooleanField(
        _("second factor passed"), default=False,
        help_text=_("The token was issued after a TOTP or recovery code (staff)."))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class EmailChange(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="email_changes", verbose_name=_("user"))
    old_email = models.EmailField(_("old email address"))
    new_email = models.EmailField(_("new email address"))
    channel = models.CharField(_("channel"), max_length=16)
    requested_at = models.DateTimeField(_("requested at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email change")
        verbose_name_plural = _("email changes")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.old_email} -> {self.new_email}"
