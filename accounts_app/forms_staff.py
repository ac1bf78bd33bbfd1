from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_app.services.staff import REASON_MAX_CHARS


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code"), max_length=16, strip=True,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric",
                                                          "autofocus": True}),
                            help_text=_("The 6-digit code from your authenticator app, or one "
                                        "of your recovery codes."))


class AccessReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
                             help_text=_("For example the request you are handling. It is "
                                         "recorded in the staff access log."))
