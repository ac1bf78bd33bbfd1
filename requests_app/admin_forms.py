"""Forms of the staff pages in the admin."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from requests_app.forms import HelpdeskForm


class StaffHelpdeskForm(HelpdeskForm):
    """A contact recorded by staff: who, what, and when it actually arrived (JST)."""

    received_at = forms.DateTimeField(
        label=_("Received at (JST)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("When the letter, call or form arrived; never in the future."))
    language = forms.ChoiceField(label=_("Language of the replies"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Requester's name")
        self.fields["email"].label = _("Requester's email address")
        self.fields["type"].label = _("Type of request")
        self.initial.setdefault("received_at", clock.to_jst(clock.now()).strftime("%Y-%m-%dT%H:%M"))
        self.order_fields(["received_at", "name", "email", "language", "type"])
