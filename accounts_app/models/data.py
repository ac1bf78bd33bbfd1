"""The personal data a user keeps with us, one model per category (DESIGN section 3): contacts,
stored content, usage, visits, payment references and forum posts.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts_app.validators import CARD_NUMBER_PATTERN, validate_last4, validate_no_card_number
from ccucaas_privacy.storage import NamedStorage


class Contact(models.Model):
    """P04: a third party in the user's address book; used only as the user directs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="contacts", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True, max_length=500)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name



class StorageRegion(models.TextChoices):
    TOKYO = "ap-northeast-1", _("Tokyo, Japan")
    OSAKA = "ap-northeast-3", _("Osaka, Japan")
    SINGAPORE = "ap-southeast-1", _("Singapore")
    OREGON = "us-west-2", _("Oregon, United States")
    FRANKFURT = "eu-central-1", _("Frankfurt, Germany")



REGIONS_IN_JAPAN = {StorageRegion.TOKYO, StorageRegion.OSAKA}



ACCOUNT_FILES_STORAGE = "account_files"


def content_storage() -> Storage:
    """The private storage of account content: STORAGES["account_files"] (a local folder that
    follows ACCOUNT_CONTENT_DIR by default, the S3 bucket in production; issue 20)."""
    return NamedStorage(ACCOUNT_FILES_STORAGE)



class ContentFile(models.Model):
    """P07: a file or document the user stored; possibly outside Japan (consented at sign-up)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="content_files", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    storage_region = models.CharField(_("storage region"), max_length=32,
                                      choices=StorageRegion.choices)
    file = models.FileField(_("file"), storage=content_storage, upload_to="%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("content file")
        verbose_name_plural = _("content files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def outside_japan(self) -> bool:
        return self.storage_region not in REGIONS_IN_JAPAN



# What each usage feature is called where people read it (issue 19: labels, never codes).
FEATURE_LABELS = {"content_upload": _("File upload"), "forum_post": _("Forum post"),
                  "profile_edit": _("Profile edit")}


def feature_label(value: str) -> str:
    return str(FEATURE_LABELS.get(value, value.replace("_", " ")))


class UsageRecord(models.Model):
    """P06: one use of a feature, when, and the storage used at that time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="usage_records", verbose_name=_("user"))
    feature = models.CharField(_("feature"), max_length=64)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    storage_used_bytes = models.PositiveBigIntegerField(_("storage used (bytes)"), default=0)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["user", "occurred_at"])]

    def __str__(self) -> str:
        return f"{feature_label(self.feature)} {self.occurred_at:%Y-%m-%d %H:%M}"



class UsageDaily(models.Model):
    """P06: the daily roll-up (JST calendar day) of usage records per user and feature."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="usage_daily", verbose_name=_("user"))
    day = models.DateField(_("day (JST)"))
    feature = models.CharField(_("feature"), max_length=64)
    count = models.PositiveIntegerField(_("count"))
    storage_used_bytes = models.PositiveBigIntegerField(_("storage used (bytes)"), default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")
        ordering = ["-day", "feature"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "feature"],
                                    name="accounts_usage_daily_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.feature}: {self.count}"



class VisitorLog(models.Model):
    """P10: one request to the site, linked to the user when signed in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="visitor_logs",
                             verbose_name=_("user"))
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    browser = models.CharField(_("browser"), max_length=64, blank=True)
    os = models.CharField(_("operating system"), max_length=64, blank=True)
    language = models.CharField(_("browser language"), max_length=64, blank=True)
    referrer = models.CharField(_("referrer URL"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path accessed"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("status"))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)

    class Meta:
        verbose_name = _("visitor log entry")
        verbose_name_plural = _("visitor log")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code}"



def _no_card_number(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(**{f"{field}__regex": CARD_NUMBER_PATTERN}),
        name=f"accounts_payment_{field}_no_card_number",
    )



class PaymentReference(models.Model):
    """P09: the processor's reference to a card; never the card number or the CVV."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="payment_references", verbose_name=_("user"))
    processor = models.CharField(_("payment processor"), max_length=64,
                                 validators=[validate_no_card_number])
    processor_token = models.CharField(_("processor customer/token id"), max_length=128,
                                       validators=[validate_no_card_number])
    brand = models.CharField(_("brand"), max_length=32, validators=[validate_no_card_number])
    last4 = models.CharField(_("last 4 digits"), max_length=4, validators=[validate_last4])
    exp_month = models.PositiveSmallIntegerField(
        _("expiry month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    exp_year = models.PositiveSmallIntegerField(
        _("expiry year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    TEXT_FIELDS = ("processor", "processor_token", "brand", "last4")

    class Meta:
        verbose_name = _("payment reference")
        verbose_name_plural = _("payment references")
        constraints = [
            *(_no_card_number(f) for f in ("processor", "processor_token", "brand")),
            models.CheckConstraint(condition=Q(last4__regex=r"^[0-9]{4}$"),
                                   name="accounts_payment_last4_four_digits"),
            models.CheckConstraint(condition=Q(exp_month__gte=1, exp_month__lte=12),
                                   name="accounts_payment_exp_month_range"),
            models.CheckConstraint(condition=Q(exp_year__gte=2000, exp_year__lte=2100),
                                   name="accounts_payment_exp_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} ****{self.last4}"

    def save(self, *args, **kwargs):
        # P09: even code that skips full_clean() cannot store a card number.
        for field in self.TEXT_FIELDS:
            try:
                validate_no_card_number(getattr(self, field))
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from exc
        super().save(*args, **kwargs)



class ForumPost(models.Model):
    """A forum post written by the user (P21 names them among the data the user may correct)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="forum_posts", verbose_name=_("user"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("forum post")
        verbose_name_plural = _("forum posts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
