"""Portal forms. They collect and check input; the services decide and change state."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts_app.models import Language
from ccucaas_privacy.errors import DomainError
from requests_app.details import CORRECTABLE_FIELDS, SUBJECT_MAX_CHARS, correctable_values
from requests_app.models import DisclosureMethod, RepresentativeKind, RequestType, StopGround

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


def _method_field() -> forms.ChoiceField:
    """APPI Art. 33(1): how the person wants the disclosure."""
    return forms.ChoiceField(label=_("How should we disclose your data?"), required=False,
                             choices=DisclosureMethod.choices, initial=DisclosureMethod.ELECTRONIC,
                             widget=forms.RadioSelect)


def _purpose_choices() -> list[tuple[str, str]]:
    from consent_app.models import Purpose

    return [(p.code, p.name) for p in Purpose.objects.all()]


def _grounds_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=_("Why do you ask us to stop? (one or more)"),
                                     choices=StopGround.choices, widget=forms.CheckboxSelectMultiple)


def _note_field() -> forms.CharField:
    return forms.CharField(label=_("Anything we should know (optional)"), required=False,
                           max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), strip=False)


def _note(data: dict) -> dict:
    return {"note": data["note"]} if data.get("note") else {}


class DisclosureForm(PasswordConfirmMixin):
    note = _note_field()
    method = _method_field()

    def details(self) -> dict:
        method = self.cleaned_data.get("method")
        return {**_note(self.cleaned_data),
                **({"method": method} if method == DisclosureMethod.PAPER else {})}


class DeletionForm(DisclosureForm):
    note = forms.CharField(label=_("What should we delete, and why? (optional)"), required=False,
                           max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), strip=False)
    method = None  # a disclosure's field only

    def details(self) -> dict:
        return _note(self.cleaned_data)


class StopUseForm(forms.Form):
    """利用停止・消去 (APPI Art. 35(1), (5)): the purposes concerned and the grounds."""

    purposes = forms.MultipleChoiceField(label=_("Which uses of your data should we stop?"),
                                         widget=forms.CheckboxSelectMultiple)
    erase = forms.BooleanField(label=_("Also erase the data used for them (消去)"), required=False)
    grounds = _grounds_field()
    note = _note_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = _purpose_choices()

    def details(self) -> dict:
        data = self.cleaned_data
        return {"purposes": data["purposes"], "grounds": data["grounds"],
                **({"erase": True} if data.get("erase") else {}), **_note(data)}


class StopProvisionForm(forms.Form):
    """第三者提供の停止 (APPI Art. 35(3), (5)): the recipients concerned and the grounds."""

    all_recipients = forms.BooleanField(label=_("Stop provision to every third party"),
                                        required=False)
    recipients = forms.CharField(label=_("Or name the recipients (one a line)"), required=False,
                                 max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    grounds = _grounds_field()
    note = _note_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def details(self) -> dict:
        from consent_app.models import ALL_RECIPIENTS

        data = self.cleaned_data
        named = [line.strip() for line in (data.get("recipients") or "").splitlines() if line.strip()]
        return {"recipients": [ALL_RECIPIENTS] if data.get("all_recipients") else named,
                "grounds": data["grounds"], **_note(data)}


class PurposeNoticeForm(forms.Form):
    """利用目的の通知 (APPI Art. 32(2))."""

    note = _note_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def details(self) -> dict:
        return _note(self.cleaned_data)


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
            if row["field"] == "language":  # a choice, never a free-text code (issue 19)
                self.fields["new_language"] = forms.ChoiceField(
                    label=row["label"], required=False,
                    choices=[("", _("(no change)")), *Language.choices])
                continue
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
    RequestType.STOP_USE: StopUseForm,
    RequestType.STOP_PROVISION: StopProvisionForm,
    RequestType.PURPOSE_NOTICE: PurposeNoticeForm,
}


class HelpdeskForm(forms.Form):
    """The public form for people who cannot sign in (channel `web_form`)."""

    name = forms.CharField(label=_("Your name"), max_length=200, strip=False)
    email = forms.EmailField(label=_("Your email address"),
                             help_text=_("We send a verification link and code to this address."))
    type = forms.ChoiceField(label=_("What would you like to do?"),
                             choices=[("", _("Choose one")), *RequestType.choices],
                             widget=forms.Select(attrs={"data-reveal": "type"}))
    subject = forms.CharField(label=_("Subject (inquiries)"), required=False,
                              max_length=SUBJECT_MAX_CHARS, strip=False)
    field = forms.ChoiceField(label=_("Field to correct (corrections)"), required=False,
                              choices=[("", "---"), *[(k, v) for k, v in CORRECTABLE_FIELDS.items()]])
    requested_value = forms.CharField(label=_("Correct value (corrections)"), required=False,
                                      max_length=SUBJECT_MAX_CHARS, strip=False)
    message = forms.CharField(label=_("Details"), required=False, max_length=TEXT_MAX, strip=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    # APPI Art. 33(1), 35 (issue 21)
    method = forms.ChoiceField(label=_("How should we disclose the data? (disclosures)"),
                               required=False, choices=DisclosureMethod.choices,
                               initial=DisclosureMethod.ELECTRONIC)
    purposes = forms.MultipleChoiceField(label=_("Uses to stop (stop of use)"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    erase = forms.BooleanField(label=_("Also erase the data used for them (消去)"), required=False)
    recipients = forms.CharField(
        label=_("Recipients to stop providing to, one a line, or * for every third party "
                "(stop of provision)"), required=False, max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}))
    grounds = forms.MultipleChoiceField(label=_("Why do you ask us to stop? (one or more)"),
                                        required=False, choices=StopGround.choices,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = _purpose_choices()

    # A representative filing for the person (APPI Art. 37(3), issue 21): name and email above
    # are then the person's; replies go to the representative.
    representative_kind = forms.ChoiceField(
        label=_("Are you filing for someone else?"), required=False,
        choices=RepresentativeKind.choices,
        help_text=_("If so, the name and email address above are those of the person the "
                    "request is about; we tell them about it, and our replies go to you."))
    representative_name = forms.CharField(label=_("Representative's name"), required=False,
                                          max_length=200, strip=False)
    representative_email = forms.EmailField(label=_("Representative's email address"),
                                            required=False)
    representative_relation = forms.CharField(
        label=_("Relation to the person (e.g. parent, guardian, lawyer)"), required=False,
        max_length=200, strip=False)
    representative_proof = forms.FileField(
        label=_("Proof of authority (PDF, PNG or JPEG)"), required=False,
        help_text=_("An appointed agent: the letter of authority. A legal "
                    "representative: e.g. a family register extract or the guardianship "
                    "registration."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}))

    # Shown in their own group (the page shows only the chosen type's group, issue 19).
    GROUPED = ("name", "email", "type", "subject", "field", "requested_value")

    def representative_input(self) -> dict:
        """The representative's fields for services.representatives (checked there)."""
        data = self.cleaned_data
        proof = data.get("representative_proof")
        return {"kind": data.get("representative_kind") or "",
                "name": data.get("representative_name") or "",
                "email": data.get("representative_email") or "",
                "relation": data.get("representative_relation") or "",
                "proofs": [proof] if proof else []}

    def other_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.GROUPED]

    def details(self) -> dict:
        data = self.cleaned_data
        if data["type"] == RequestType.INQUIRY:
            return {"subject": data["subject"], "message": data["message"]}
        if data["type"] == RequestType.CORRECTION:
            return {"items": [{"field": data["field"], "requested_value": data["requested_value"],
                               "reason": data["message"]}]}
        note = {"note": data["message"]} if data["message"] else {}
        if data["type"] == RequestType.DISCLOSURE and data.get("method") == DisclosureMethod.PAPER:
            return {**note, "method": DisclosureMethod.PAPER}
        if data["type"] == RequestType.STOP_USE:
            return {"purposes": data.get("purposes") or [], "grounds": data.get("grounds") or [],
                    **({"erase": True} if data.get("erase") else {}), **note}
        if data["type"] == RequestType.STOP_PROVISION:
            named = [x.strip() for x in (data.get("recipients") or "").splitlines() if x.strip()]
            return {"recipients": named, "grounds": data.get("grounds") or [], **note}
        return note


class VerifyForm(forms.Form):
    code = forms.RegexField(label=_("6-digit code from the email"), regex=r"^\s*\d{6}\s*$",
                            error_messages={"invalid": _("Enter the 6 digits from the email.")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "one-time-code"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}), strip=False)


class ObjectionForm(forms.Form):
    """The person's objection to a request a representative made in their name."""

    note = forms.CharField(label=_("Why do you object? (optional)"), required=False,
                           max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                           strip=False)
