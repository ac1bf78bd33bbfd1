"""Proof of a representative's authority (APPI Art. 37(3); issue 21): the uploaded 委任状, family
register extract or guardianship registration, stored privately through Django's storage API
(the file name is ours, never the uploader's) and listed in the disclosure package."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models.requests import DataSubjectRequest


class RepresentativeProof(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE,
                                related_name="representative_proofs", verbose_name=_("request"))
    file_name = models.CharField(_("stored file"), max_length=300)
    original_name = models.CharField(_("file name as uploaded"), max_length=150)
    content_type = models.CharField(_("type"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("proof of authority")
        verbose_name_plural = _("proofs of authority")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
