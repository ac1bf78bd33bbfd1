"""Portal forms. They validate input; the views pass it to services, which change state."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts_app.models import Contact, ForumPost, Language, StorageRegion, User


class SignUpForm(forms.Form):
    username = forms.CharField(label=pgettext_lazy("account", "Username"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                               help_text=password_validation.password_validators_help_text_html)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    accept_policy = forms.BooleanField(
        label=_("I have read and accept the current privacy policy."), required=False)
    consent_cross_border_storage = forms.BooleanField(
        label=_("I consent to my account data being stored on servers outside Japan."),
        required=False)
    marketing_email = forms.BooleanField(
        label=_("Send me emails about new services, releases and events (optional)."),
        required=False)

    def clean(self) -> dict:
        """Every problem at once: the service's own checks run here too (issue 19), so a
        missing consent and a weak password are shown with the field errors, not after them."""
        from accounts_app.services.accounts import account_sign_up_problems

        cleaned = super().clean()
        problems = account_sign_up_problems(
            username=cleaned.get("username", ""), email=cleaned.get("email", ""),
            password=cleaned.get("password") or "", accept_policy=cleaned.get("accept_policy", False),
            consent_cross_border_storage=cleaned.get("consent_cross_border_storage", False))
        for field, messages in problems.items():
            if field == "password" and "password" in self.errors:
                continue  # already "This field is required."
            for message in messages:
                self.add_error(field, str(message))
        return cleaned

    def add_service_errors(self, errors: dict) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, str(message))


class SignInForm(AuthenticationForm):
    remember_me = forms.BooleanField(label=_("Keep me signed in"), required=False)

    error_messages = {
        **AuthenticationForm.error_messages,
        "cookies_blocked": _(
            "Your browser is blocking cookies, so “Keep me signed in” cannot work. "
            "Allow cookies for this site and sign in again."
        ),
    }


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form for its email field only: the view passes the address to
    `services_auth.password_reset_request` (rate limits, background look-up, outbox)."""


class ServiceSetPasswordForm(SetPasswordForm):
    """The new password of a reset link, set through the service, which also ends every
    login of the account."""

    def save(self, commit=True):
        from accounts_app.services.auth import password_reset_complete

        password_reset_complete(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


class ProfileForm(forms.ModelForm):
    """The email address is changed with EmailChangeForm (password, confirmation link)."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "language"]


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label=_("New email address"))
    password = forms.CharField(label=_("Current password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "postal_address", "phone"]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}


class ContactImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"),
                           help_text=_("UTF-8 or Shift_JIS; first line: name,email,postal_address,phone"))


class ContentFileForm(forms.Form):
    file = forms.FileField(label=_("File"))
    # No region is preselected (issue 19): where a file is stored is the user's own choice.
    storage_region = forms.ChoiceField(label=_("Storage region"),
                                       choices=[("", _("Choose a region")), *StorageRegion.choices])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ACCOUNT_CONTENT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (limit: %(limit)d KB)."),
                params={"limit": settings.ACCOUNT_CONTENT_MAX_BYTES // 1024}, code="too_large")
        return upload


class ForumPostForm(forms.ModelForm):
    class Meta:
        model = ForumPost
        fields = ["title", "body", "published"]


class CloseAccountForm(forms.Form):
    reason = forms.CharField(label=_("Why are you closing your account? (optional)"),
                             required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("I understand that I will be signed out and the account closed."))
