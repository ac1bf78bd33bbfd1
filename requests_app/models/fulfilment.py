"""Fulfilment rows (DESIGN section 6; RULES.md P08, P14, P21): disclosure packages, staff
decisions on correction items, legal holds, service providers and propagations."""

import os
import re
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.outbound import outbound_url_validate


class DisclosurePackage(models.Model):
    """The ZIP built for a disclosure request, stored privately (PRIVATE_STORAGE)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey("requests_app.DataSubjectRequest", on_delete=models.CASCADE,
                                related_name="packages", verbose_name=_("request"))
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        app_label = "requests_app"
        verbose_name = _("disclosure package")
        verbose_name_plural = _("disclosure packages")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["request"], name="package_one_per_request")]

    def __str__(self) -> str:
        return self.file_name


class CorrectionDecision(models.Model):
    """Staff accept or reject one item of a correction request, with a note (P21)."""

    request = models.ForeignKey("requests_app.DataSubjectRequest", on_delete=models.CASCADE,
                                related_name="correction_decisions", verbose_name=_("request"))
    index = models.PositiveSmallIntegerField(_("item"))
    accepted = models.BooleanField(_("accepted"))
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        app_label = "requests_app"
        verbose_name = _("correction decision")
        verbose_name_plural = _("correction decisions")
        ordering = ["request", "index"]
        constraints = [models.UniqueConstraint(fields=["request", "index"],
                                               name="correction_decision_once")]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.index}: {'accepted' if self.accepted else 'rejected'}"


class HoldBasis(models.TextChoices):
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    DISPUTE = "dispute", _("Dispute resolution")
    ENFORCING_RIGHTS = "enforcing_rights", _("Enforcing rights")


class LegalHold(models.Model):
    """P08: data kept despite a deletion request, for a stated basis, until released."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="legal_holds", verbose_name=_("user"))
    categories = models.JSONField(_("categories"), default=list)
    basis = models.CharField(_("basis"), max_length=20, choices=HoldBasis.choices)
    note = models.TextField(_("note"), blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("placed by"))
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("released by"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        app_label = "requests_app"
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.categories)} ({self.basis})"


def processor_endpoint_validate(value: str) -> None:
    outbound_url_validate(value)


def processor_secret_name_validate(value: str) -> None:
    prefix = settings.PROCESSOR_SECRET_PREFIX
    if value and not re.fullmatch(re.escape(prefix) + r"[A-Z0-9_]{1,80}", value):
        raise ValidationError(
            _("Secrets are read only from variables named %(prefix)s... (capitals, digits, "
              "underscores).") % {"prefix": prefix}, code="secret_prefix")


class ProcessorPurpose(models.TextChoices):
    STORAGE = "storage", _("Storage")
    DATABASE = "database", _("Database management")
    ANALYTICS = "analytics", _("Web analytics")
    PAYMENT = "payment", _("Payment processing")
    OTHER = "other", _("Other")


class Connector(models.TextChoices):
    OPENDSR = "opendsr", _("OpenDSR 2.0")
    WEBHOOK = "webhook", _("Signed webhook")
    MANUAL = "manual", _("Manual (staff confirm)")


class Processor(models.Model):
    """A service provider holding users' data for us (P14). Secrets come from the environment:
    only the names of the variables are stored, and only names with PROCESSOR_SECRET_PREFIX
    are read. Endpoints must not reach inside (ccucaas_privacy/outbound.py); saving goes
    through `services.processors.processor_save`, which also reads an OpenDSR discovery."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ProcessorPurpose.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    connector = models.CharField(_("connector"), max_length=10, choices=Connector.choices)
    endpoint_url = models.URLField(
        _("endpoint URL"), blank=True, validators=[processor_endpoint_validate],
        help_text=_("https only. OpenDSR: the base URL under which /discovery and /requests "
                    "are published."))
    secret_env = models.CharField(
        _("secret environment variable"), max_length=100, blank=True,
        validators=[processor_secret_name_validate],
        help_text=_("Name of a PROCESSOR_SECRET_... variable. Webhook: HMAC key of at least "
                    "32 bytes (required). OpenDSR: bearer token (optional)."))
    regulation = models.CharField(
        _("regulation"), max_length=20, blank=True,
        help_text=_("OpenDSR: gdpr, ccpa or a value the processor's discovery lists; blank: "
                    "the default from the settings."))
    correction_request_type = models.CharField(
        _("correction request type"), max_length=12, blank=True,
        choices=[("access", "access"), ("portability", "portability"), ("erasure", "erasure")],
        help_text=_("OpenDSR has no correction type: the type the processor's documented "
                    "correction extension is sent with. Blank: corrections go to staff."))
    correction_extension_key = models.CharField(
        _("correction extension key"), max_length=50, blank=True,
        help_text=_("Key, inside the extension named by the processor's domain, under which "
                    "its documentation takes the corrected fields."))
    active = models.BooleanField(_("active"), default=True)
    # Read from the processor (never typed in): discovery, its signing certificate, last error.
    discovery = models.JSONField(_("discovery"), default=dict, blank=True, editable=False)
    discovery_expires_at = models.DateTimeField(_("discovery valid until"), null=True,
                                                blank=True, editable=False)
    certificate_pem = models.TextField(_("signing certificate"), blank=True, editable=False)
    certificate_expires_at = models.DateTimeField(_("certificate expires at"), null=True,
                                                  blank=True, editable=False)
    certificate_warned_for = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True,
                                         editable=False)

    class Meta:
        app_label = "requests_app"
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def domain(self) -> str:
        """The processor's registered domain: the host of its endpoint (OpenDSR §8.3)."""
        return (urlsplit(self.endpoint_url).hostname or "").lower()

    @property
    def handles_corrections(self) -> bool:
        if self.connector != Connector.OPENDSR:
            return True
        return bool(self.correction_request_type and self.correction_extension_key)

    def clean(self) -> None:
        errors = {}
        if self.connector in (Connector.OPENDSR, Connector.WEBHOOK) and not self.endpoint_url:
            errors["endpoint_url"] = _("This connector needs an endpoint URL.")
        if self.connector == Connector.WEBHOOK:
            secret = os.environ.get(self.secret_env, "") if self.secret_env else ""
            if len(secret.encode()) < settings.PROCESSOR_WEBHOOK_SECRET_MIN_BYTES:
                errors["secret_env"] = _("A webhook needs a secret of at least 32 bytes in "
                                         "this environment variable.")
        if self.regulation and not re.fullmatch(r"[a-z0-9_-]{2,20}", self.regulation):
            errors["regulation"] = _("Use a regulation code such as gdpr or ccpa.")
        if bool(self.correction_request_type) != bool(self.correction_extension_key):
            errors["correction_extension_key"] = _(
                "Give both the request type and the extension key, or neither.")
        if errors:
            raise ValidationError(errors)


class PropagationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed (will retry)")
    HELD = "held", _("Retained under a legal hold")


class Propagation(models.Model):
    """One correction or deletion to carry out at one internal source or one service provider,
    tracked to confirmation (P21: within 48 hours of the reply)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey("requests_app.DataSubjectRequest", on_delete=models.PROTECT,
                                related_name="propagations", verbose_name=_("request"))
    processor = models.ForeignKey(Processor, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="propagations", verbose_name=_("service provider"))
    source = models.CharField(_("internal source"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PropagationStatus.choices,
                              default=PropagationStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    last_error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    manual = models.BooleanField(
        _("carried out by staff"), default=False,
        help_text=_("The provider's connector cannot carry this change (an OpenDSR processor "
                    "without a correction extension): staff do it and confirm it by hand."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        app_label = "requests_app"
        verbose_name = _("propagation")
        verbose_name_plural = _("propagations")
        ordering = ["request", "source", "id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="propagation_due_partial",
                                condition=models.Q(status__in=["pending", "failed"]))]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(processor__isnull=True) & ~models.Q(source=""))
                | (models.Q(processor__isnull=False) & models.Q(source="")),
                name="propagation_processor_xor_source"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.processor or self.source}: {self.status}"

    @property
    def target_label(self) -> str:
        return str(self.processor) if self.processor_id else self.source
