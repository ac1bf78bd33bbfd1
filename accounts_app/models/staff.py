"""The staff access log: every staff view of personal data (RULES.md P21; evidence, append-only).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.evidence import AppendOnlyModel


class StaffAccessKind(models.TextChoices):
    REQUEST_DETAIL = "request_detail", _("Request with the subject's data summary")
    API_REQUEST_DETAIL = "api_request_detail", _("Request detail in the staff API")
    PERSONAL_DATA = "personal_data", _("Personal data page in the admin")
    PACKAGE_DOWNLOAD = "package_download", _("Disclosure package download by staff")
    PROCESSOR_CHANGE = "processor_change", _("Service provider added or changed")



class StaffAccess(AppendOnlyModel):
    """P18: a member of staff looked at a user's personal data, and why (append-only).

    `subject_label` keeps who it was even after the account is erased (the foreign key then
    becomes NULL, the only change the PostgreSQL trigger lets through).
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="staff_accesses", verbose_name=_("staff member"))
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="accessed_by_staff",
                                verbose_name=_("subject"))
    subject_label = models.CharField(_("subject (as shown)"), max_length=254)
    what = models.CharField(_("what"), max_length=32, choices=StaffAccessKind.choices)
    object_ref = models.CharField(_("object"), max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    reason = models.TextField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("staff access")
        verbose_name_plural = _("staff access log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["staff", "subject_label", "created_at"],
                                name="staffaccess_recent")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.staff_id} -> {self.subject_label}"
