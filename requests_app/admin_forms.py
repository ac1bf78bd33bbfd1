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


class CompliancePeriodForm(forms.Form):
    """The period of the compliance report: requests received in it (JST months and days)."""

    PERIODS = [("month", _("This month")), ("3m", _("Last 3 months")),
               ("12m", _("Last 12 months")), ("all", _("All time")), ("custom", _("Custom"))]
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="12m", required=False)
    start = forms.DateField(label=_("From (JST)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (JST, included)"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        data["period"] = data.get("period") or "12m"
        if data["period"] == "custom":
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError(_("Give both dates of a custom period."))
            if data["start"] > data["end"]:
                raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def bounds(self) -> tuple:
        """(since, until) in UTC for the selected period; None = unbounded."""
        from datetime import timedelta

        data = self.cleaned_data if self.is_valid() else {"period": "12m"}
        period = data["period"]
        if period == "all":
            return None, None
        if period == "custom":
            return (clock.start_of_jst_day(data["start"]),
                    clock.start_of_jst_day(data["end"] + timedelta(days=1)))
        today = clock.jst_date(clock.now())
        back = {"month": 0, "3m": 2, "12m": 11}[period]
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        return clock.start_of_jst_day(today.replace(year=year, month=month + 1, day=1)), None
