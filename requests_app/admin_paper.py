"""The staff task of a paper disclosure (書面の交付, APPI Art. 33(1); issue 21): the list of
disclosures to print and mail, the printable readable version on the change page (a logged
staff view of personal data, P18), and recording the mailing, which completes the request."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts_app.admin_access import PersonalDataAccessMixin
from ccucaas_privacy import clock
from requests_app.models import PaperMailing
from requests_app.selectors.paper import paper_readable_content
from requests_app.services.paper import paper_mailing_record


class PaperMailingForm(forms.ModelForm):
    class Meta:
        model = PaperMailing
        fields = ("mailed_on", "tracking_number")

    def clean_mailed_on(self):
        mailed_on = self.cleaned_data.get("mailed_on")
        if mailed_on is None:
            raise forms.ValidationError(_("Give the date of mailing."))
        if mailed_on > clock.jst_date(clock.now()):
            raise forms.ValidationError(_("The date of mailing cannot be in the future."))
        return mailed_on


@admin.register(PaperMailing)
class PaperMailingAdmin(PersonalDataAccessMixin, admin.ModelAdmin):
    subject_field = "subject"
    form = PaperMailingForm
    list_display = ("request", "created_at", "mailed_on", "tracking_number", "recorded_at")
    list_filter = (("recorded_at", admin.EmptyFieldListFilter),)
    fields = ("request", "created_at", "mailed_on", "tracking_number", "mailed_by", "recorded_at")
    change_form_template = "admin/requests_app/papermailing/change_form.html"

    def has_add_permission(self, request) -> bool:
        return False  # created by the reply of a paper disclosure

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.recorded_at is not None:
            return self.fields
        return ("request", "created_at", "mailed_by", "recorded_at")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"readable": paper_readable_content(request=obj.request)} if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        paper_mailing_record(mailing=obj, actor=request.user,
                             mailed_on=form.cleaned_data["mailed_on"],
                             tracking_number=form.cleaned_data.get("tracking_number", ""))
