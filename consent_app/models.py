"""Consent evidence: purposes, the append-only consent ledger, policy versions and acceptances,
testimonials (P05) and provision records (P14-P16, P22).

The ledger tables refuse updates and deletes here (ccucaas_privacy.evidence) and, on
PostgreSQL, in the database itself (trigger created by migration 0003).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from ccucaas_privacy.evidence import AppendOnlyModel


def _localized(obj, field: str) -> str:
    language = (get_language() or "ja")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language in ("ja", "en") else ""
    return value or getattr(obj, f"{field}_ja", "") or getattr(obj, f"{field}_en", "")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    EMAIL_LINK = "email_link", _("Email link")
    STAFF = "staff", _("Staff")
    GPC = "gpc", _("Global Privacy Control")
    SIGNUP = "signup", _("Sign-up")


class Purpose(models.Model):
    """What a consent is for. `parameterised` purposes are templates: the ledger records
    `<code>:<parameter>` (e.g. `third_party_provision:acme`)."""

    code = models.CharField(_("code"), max_length=150, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    required = models.BooleanField(
        _("required for the account"), default=False,
        help_text=_("Withdrawing a required purpose means closing the account."),
    )
    withdrawable = models.BooleanField(_("withdrawable"), default=True)
    parameterised = models.BooleanField(_("parameterised"), default=False)
    rule = models.CharField(_("policy rule"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return self.name  # people read the name, never the code (issue 19)

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def description(self) -> str:
        return _localized(self, "description")


class Importance(models.TextChoices):
    MAJOR = "major", _("Major (affects users' rights)")
    MINOR = "minor", _("Minor")


class PolicyVersion(models.Model):
    """A version of the privacy policy (P25). Published versions are not edited."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_at = models.DateTimeField(_("effective at"))
    importance = models.CharField(_("importance"), max_length=10, choices=Importance.choices)
    summary_ja = models.TextField(_("summary of changes (Japanese)"))
    summary_en = models.TextField(_("summary of changes (English)"))
    full_text_ja = models.TextField(_("full text (Japanese)"))
    full_text_en = models.TextField(_("full text (English)"), blank=True)
    published_at = models.DateTimeField(_("published at"), default=clock.now)

    class Meta:
        ordering = ["-effective_at"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return self.version

    @property
    def summary(self) -> str:
        return _localized(self, "summary")

    @property
    def full_text(self) -> str:
        return _localized(self, "full_text")


class ConsentAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DEEMED = "deemed", _("Deemed")


class ConsentEvent(AppendOnlyModel):
    """One row of the consent ledger. Current state = the latest row per (user, purpose)."""

    receipt_id = models.UUIDField(_("receipt ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="consent_events", verbose_name=_("user"))
    purpose = models.CharField(_("purpose"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=ConsentAction.choices)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+",
                                       verbose_name=_("policy version"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    created_at = models.DateTimeField(_("time"), default=clock.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at", "-id"],
                                name="consent_event_state_idx")]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.receipt_id}"


class AcceptanceKind(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DEEMED = "deemed", _("Deemed (continued use after the effective date)")


class PolicyAcceptance(AppendOnlyModel):
    """A user's acceptance of a policy version, explicit or deemed (P25). Append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="policy_acceptances", verbose_name=_("user"))
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT,
                                related_name="acceptances", verbose_name=_("policy version"))
    kind = models.CharField(_("kind"), max_length=10, choices=AcceptanceKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    created_at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "version", "kind"],
                                               name="consent_acceptance_once")]
        verbose_name = _("policy acceptance")
        verbose_name_plural = _("policy acceptances")

    def __str__(self) -> str:
        return f"{self.user_id} {self.version_id} {self.kind}"


class Testimonial(models.Model):
    """A user's testimonial (称賛の声, P05), drafted by staff. Shown publicly only while the
    user's `testimonial_publication` consent is granted (see selectors)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="testimonials", verbose_name=_("user"))
    display_name = models.CharField(_("name shown"), max_length=100)
    body = models.TextField(_("testimonial"))
    language = models.CharField(_("language"), max_length=8, default="ja",
                                choices=[("ja", _("Japanese")), ("en", _("English"))])
    ready = models.BooleanField(_("ready for publication"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")

    def __str__(self) -> str:
        return f"{self.display_name}: {self.body[:40]}"


class RecipientType(models.TextChoices):
    AFFILIATE = "affiliate", _("Affiliate")
    RESELLER = "reseller", _("Reseller")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    BUSINESS_PARTNER = "business_partner", _("Business partner")
    JUDICIAL_AUTHORITY = "judicial_authority", _("Judicial authority")
    GOVERNMENT = "government", _("Government authority")
    STAFF = "staff", _("Operator staff (investigation)")
    OTHER = "other", _("Other third party")


class LegalBasis(models.TextChoices):
    SERVICE_DELEGATION = "service_delegation", _("Delegation to provide the service")
    CONSENT = "consent", _("The user's prior consent")
    LEGAL_REQUIREMENT = "legal_requirement", _("Legal process or enforceable request")
    PROTECTION = "protection", _("Protection of users, staff or the public")
    INVESTIGATION = "investigation", _("Investigation of illegal acts or violations")


class ProvisionRecord(AppendOnlyModel):
    """One provision of a user's personal data to someone else (P14-P16, P22; APPI Art. 33(5))."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="provision_records", verbose_name=_("user"))
    recipient = models.CharField(_("recipient"), max_length=200)
    recipient_type = models.CharField(_("recipient type"), max_length=30,
                                      choices=RecipientType.choices)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    data_categories = models.JSONField(_("data categories"), default=list)
    provided_at = models.DateTimeField(_("provided at"))
    consent_event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="+",
                                      verbose_name=_("consent event"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["-provided_at", "-id"]
        verbose_name = _("provision record")
        verbose_name_plural = _("provision records")

    def __str__(self) -> str:
        return f"{self.recipient} ({self.provided_at:%Y-%m-%d})"


class RestrictionKind(models.TextChoices):
    STOP_USE = "stop_use", _("Stop of use (利用停止)")
    STOP_PROVISION = "stop_provision", _("Stop of provision to third parties")


class RestrictionScope(models.TextChoices):
    FULL = "full", _("In full")
    PARTIAL = "partial", _("As far as necessary (in part)")


ALL_RECIPIENTS = "*"  # a stop of provision to every third party


class ProcessingRestriction(AppendOnlyModel):
    """An accepted stop of use or of provision (APPI Art. 35): from `effective_from` the
    restricted purpose (or the provision to `recipient`) is refused wherever it is used
    (consent_app.selectors). Written by requests_app through consent_app.services."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="processing_restrictions", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=20, choices=RestrictionKind.choices)
    purpose = models.CharField(_("purpose"), max_length=150, blank=True)
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    erase = models.BooleanField(_("erasure requested"), default=False)
    scope = models.CharField(_("scope"), max_length=10, choices=RestrictionScope.choices,
                             default=RestrictionScope.FULL)
    scope_note = models.TextField(_("extent of the restriction"), blank=True)
    substitute_measure = models.TextField(_("substitute measure"), blank=True)
    substitute_reason = models.TextField(_("reason for the substitute measure"), blank=True)
    request_reference = models.CharField(_("request"), max_length=20)
    effective_from = models.DateTimeField(_("effective from"))
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("processing restriction")
        verbose_name_plural = _("processing restrictions")
        indexes = [models.Index(fields=["user", "kind"], name="restriction_user_kind")]

    def __str__(self) -> str:
        return f"{self.request_reference}: {self.purpose or self.recipient}"
