"""Disclosure on paper (書面の交付, APPI Art. 33(1); issue 21): the staff task of printing the
package's readable version and mailing it. The request completes when the mailing is recorded."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from requests_app.models.requests import DataSubjectRequest


class PaperMailing(models.Model):
    request = models.OneToOneField(DataSubjectRequest, on_delete=models.PROTECT,
                                   related_name="paper_mailing", verbose_name=_("request"))
    created_at = models.DateTimeField(_("task created at"), default=clock.now)
    mailed_on = models.DateField(_("mailed on"), null=True, blank=True)
    mailed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mailed by"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("mailing recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper disclosure to mail")
        verbose_name_plural = _("paper disclosures to mail")
        ordering = ["recorded_at", "created_at"]

    def __str__(self) -> str:
        return self.request.reference

    @property
    def subject(self):
        """The person whose data is printed (the P18 reason gate of the admin asks for it)."""
        return self.request.subject

    @property
    def is_mailed(self) -> bool:
        return self.recorded_at is not None
