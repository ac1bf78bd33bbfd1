"""Portal forms. They collect and check input; the services decide and change state."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.errors import DomainError
from requests_app.details import CORRECTABLE_FIELDS, SUBJECT_MAX_CHARS, correctable_values
from requests_app.models import RequestType

TEXT_MAX = settings.REQUESTS["TEXT_MAX_CHARS"]


def domain_error_to_form(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: field errors where a field matches, else on top."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(key if key != "non_field_errors" else prefix, sub)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    flat.setdefault(prefix, []).append(item)
                elif isinstance(item, dict) and prefix != "duplicate":
                    walk(prefix, item)

    walk("", exc.details)
    placed = False
    for field, messages in flat.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed or "" in flat:
        form.add_error(None, exc.message)


class PasswordConfirmMixin(forms.Form):
    """Disclosure and deletion ask for the password again (issue 6: the account proves
    identity, but the person at the keyboard must be its owner)."""

    password = forms.CharField(label=_("Your password (to confirm it is you)"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               strip=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class DisclosureForm(PasswordConfirmMixin):
    note = forms.CharField(label=_("Anything we should know (optional)"), required=False,
                           max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), strip=False)

    def details(self) -> dict:
        return {"note": self.cleaned_data["note"]} if self.cleaned_data["note"] else {}


class DeletionForm(DisclosureForm):
    note = forms.CharField(label=_("What should we delete, and why? (optional)"), required=False,
                           max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), strip=False)


class InquiryForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_CHARS, strip=False)
    message = forms.CharField(label=_("Message"), max_length=TEXT_MAX, strip=False,
                              widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def details(self) -> dict:
        return {"subject": self.cleaned_data["subject"], "message": self.cleaned_data["message"]}


class CorrectionForm(forms.Form):
    """One optional "new value" per correctable field, shown beside its current value."""

    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}), strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = correctable_values(user)
        for row in self.rows:
            self.fields[f"new_{row['field']}"] = forms.CharField(
                label=row["label"], required=False, max_length=SUBJECT_MAX_CHARS, strip=False)

    def field_rows(self) -> list[dict]:
        return [{**row, "bound": self[f"new_{row['field']}"]} for row in self.rows]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(f"new_{name}") for name in CORRECTABLE_FIELDS):
            raise forms.ValidationError(_("Enter the new value of at least one field."))
        return cleaned

    def details(self) -> dict:
        reason = self.cleaned_data["reason"]
        items = [
            {"field": name, "requested_value": self.cleaned_data[f"new_{name}"], "reason": reason}
            for name in CORRECTABLE_FIELDS if self.cleaned_data.get(f"new_{name}")
        ]
        return {"items": items}


FORMS_BY_TYPE: dict[str, type[forms.Form]] = {
    RequestType.DISCLOSURE: DisclosureForm,
    RequestType.CORRECTION: CorrectionForm,
    RequestType.DELETION: DeletionForm,
    RequestType.INQUIRY: InquiryForm,
}


class HelpdeskForm(forms.Form):
    """The public form for people who cannot sign in (channel `web_form`)."""

    name = forms.CharField(label=_("Your name"), max_length=200, strip=False)
    email = forms.EmailField(label=_("Your email address"),
                             help_text=_("We send a verification link and code to this address."))
    type = forms.ChoiceField(label=_("What would you like to do?"), choices=RequestType.choices)
    subject = forms.CharField(label=_("Subject (inquiries)"), required=False,
                              max_length=SUBJECT_MAX_CHARS, strip=False)
    field = forms.ChoiceField(label=_("Field to correct (corrections)"), required=False,
                              choices=[("", "---"), *[(k, v) for k, v in CORRECTABLE_FIELDS.items()]])
    requested_value = forms.CharField(label=_("Correct value (corrections)"), required=False,
                                      max_length=SUBJECT_MAX_CHARS, strip=False)
    message = forms.CharField(label=_("Details"), required=False, max_length=TEXT_MAX, strip=False,
                              widget=forms.Textarea(attrs={"rows": 6}))

    def details(self) -> dict:
        data = self.cleaned_data
        if data["type"] == RequestType.INQUIRY:
            return {"subject": data["subject"], "message": data["message"]}
        if data["type"] == RequestType.CORRECTION:
            return {"items": [{"field": data["field"], "requested_value": data["requested_value"],
                               "reason": data["message"]}]}
        return {"note": data["message"]} if data["message"] else {}


class VerifyForm(forms.Form):
    code = forms.RegexField(label=_("6-digit code from the email"), regex=r"^\s*\d{6}\s*$",
                            error_messages={"invalid": _("Enter the 6 digits from the email.")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "one-time-code"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}), strip=False)
