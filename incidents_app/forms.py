"""Admin forms of the incident register; the views hand their data to the services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.datasources import all_sources
from incidents_app.models import REPORT_ITEMS, IncidentReport
from incidents_app.services import NOTICE_FIELDS


def _category_choices() -> list[tuple[str, str]]:
    return [(s.category, str(s.title)) for s in all_sources()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    known_at = forms.DateTimeField(label=_("learned of at (JST)"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reported_by = forms.CharField(label=_("reported internally by"), max_length=200)
    description = forms.CharField(label=_("what happened"), widget=forms.Textarea)
    data_categories = forms.MultipleChoiceField(label=_("data categories"), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    data_items = forms.CharField(label=_("data items (one per line)"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)
    affected_usernames = forms.CharField(
        label=_("affected users (usernames, one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}))
    affected_count = forms.IntegerField(label=_("number of people affected"), min_value=0,
                                        initial=0)
    mitigated = forms.BooleanField(
        label=_("not reportable: encryption or other measures protect the data"), required=False)
    mitigation_note = forms.CharField(label=_("measures that protect the data"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    special_care = forms.BooleanField(label=_("(1) special-care data (要配慮個人情報)"),
                                      required=False)
    financial_harm = forms.BooleanField(label=_("(2) risk of financial harm through misuse"),
                                        required=False)
    unlawful_intent = forms.BooleanField(label=_("(3) possibly done with unlawful intent"),
                                         required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_categories"].choices = _category_choices()

    def clean_data_items(self) -> list[str]:
        return _lines(self.cleaned_data["data_items"])

    def clean_affected_usernames(self) -> list:
        names = _lines(self.cleaned_data["affected_usernames"])
        users = list(get_user_model().objects.filter(username__in=names))
        unknown = sorted(set(names) - {u.username for u in users})
        if unknown:
            raise forms.ValidationError(_("Unknown usernames: %(names)s")
                                        % {"names": ", ".join(unknown)})
        return users

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["affected_users"] = data.pop("affected_usernames")
        return data


class ReportForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REPORT_ITEMS:
            self.fields[name] = forms.CharField(
                label=IncidentReport._meta.get_field(name).verbose_name, required=False,
                widget=forms.Textarea(attrs={"rows": 3}))


NOTICE_LABELS = {"what_happened": _("What happened"), "data": _("Which of your data was involved"),
                 "what_we_did": _("What we did"), "what_you_can_do": _("What you can do")}


class NoticeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language, suffix in (("ja", _("Japanese")), ("en", _("English"))):
            for name in NOTICE_FIELDS:
                self.fields[f"{language}_{name}"] = forms.CharField(
                    label=f"{NOTICE_LABELS[name]} ({suffix})",
                    widget=forms.Textarea(attrs={"rows": 2}))

    def notice(self) -> dict:
        return {language: {name: self.cleaned_data[f"{language}_{name}"]
                           for name in NOTICE_FIELDS} for language in ("ja", "en")}
