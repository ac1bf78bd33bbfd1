"""Data-subject requests (DESIGN sections 4 and 5; RULES.md P21, P24, P26)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ccucaas_privacy.evidence import AppendOnlyModel


class RequestType(models.TextChoices):
    DISCLOSURE = "disclosure", _("Disclosure")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")
    INQUIRY = "inquiry", _("Complaint, consultation or inquiry")
    # APPI Art. 35 and 32(2) (issue 21)
    STOP_USE = "stop_use", _("Stop of use or erasure")
    STOP_PROVISION = "stop_provision", _("Stop of provision to third parties")
    PURPOSE_NOTICE = "purpose_notice", _("Notice of the purposes of use")


STOP_TYPES = ("stop_use", "stop_provision")


class StopGround(models.TextChoices):
    """Why the person asks to stop (APPI Art. 35(1), (3), (5)); several may be given."""

    BEYOND_PURPOSE = "beyond_purpose", _("Used beyond the stated purposes of use")
    IMPROPERLY_OBTAINED = "improperly_obtained", _("Obtained improperly")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed by the operator")
    AFTER_LEAK = "after_leak", _("Affected by a leak")
    HARMS_RIGHTS = "harms_rights", _("Harms my rights or legitimate interests")
    UNLAWFUL_PROVISION = "unlawful_provision", _("Provided to a third party without a lawful basis")


class DisclosureMethod(models.TextChoices):
    """How the person wants the disclosure (APPI Art. 33(1))."""

    ELECTRONIC = "electronic", _("Electronically (download of a ZIP package)")
    PAPER = "paper", _("On paper, by post (書面の交付)")


class DisclosureRefusalGround(models.TextChoices):
    """The statutory grounds for not disclosing, in whole or in part (APPI Art. 33(2))."""

    HARM_TO_PERSON_OR_THIRD_PARTY = "harm", _(
        "Disclosure would harm the life, body, property or other rights of the person or a third party")
    BUSINESS_HINDRANCE = "business_hindrance", _(
        "Disclosure would seriously hinder the operator's business")
    OTHER_LAW = "other_law", _("Disclosure would violate another law")


class RefusalReason(models.TextChoices):
    """Why a request other than a disclosure is refused (APPI Art. 36: the reason is given)."""

    IDENTITY_NOT_ESTABLISHED = "identity_not_established", _("The requester's identity could not be established")
    DATA_NOT_HELD = "data_not_held", _("We hold no such personal data")
    REQUEST_UNCLEAR = "request_unclear", _("The request is unclear")
    GROUNDS_NOT_MET = "grounds_not_met", _("The legal grounds for the request are not met")
    EXCESSIVE = "excessive", _("The request is manifestly excessive or repeated")
    OTHER = "other", _("Other reason (explained below)")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    HELPDESK = "helpdesk", _("Help desk")
    WEB_FORM = "web_form", _("Web form")
    AGENT = "agent", _("Authorized agent (Data Rights Protocol)")


class Status(models.TextChoices):
    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting identity verification")
    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("In review")
    REPLIED = "replied", _("Replied")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    # "request" context: a withdrawn request is 取り下げ, a withdrawn consent 撤回 (docs/glossary.md)
    WITHDRAWN = "withdrawn", pgettext_lazy("request", "Withdrawn")
    EXPIRED = "expired", _("Expired")


OPEN_STATUSES = (Status.AWAITING_VERIFICATION, Status.RECEIVED, Status.IN_REVIEW)
FINAL_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED)
# The one place that says which types can be duplicates (issue 19 item 5): one open request
# per subject and type for these; inquiries (and anything else) never are.
DUPLICATE_CHECKED_TYPES = ("disclosure", "correction", "deletion", "stop_use", "stop_provision",
                           "purpose_notice")


class RepresentativeKind(models.TextChoices):
    """Who files for the person (APPI Art. 37(3); issue 21). "" = the person themselves."""

    NONE = "", _("The person themselves")
    LEGAL = "legal", _("Legal representative (parent of a minor, adult guardian)")
    APPOINTED = "appointed", _("Appointed agent (with a letter of authority)")


class RepresentativeStatus(models.TextChoices):
    NONE = "", _("No representative")
    PENDING = "pending", _("Awaiting staff verification of the representative")
    VERIFIED = "verified", _("Representative verified")
    OBJECTED = "objected", _("The person objected")


class DataSubjectRequest(models.Model):
    """One request by a data subject; every change of status is a RequestEvent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20)
    type = models.CharField(_("type"), max_length=20, choices=RequestType.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("subject"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="data_subject_requests",
        db_index=False,  # dsr_subject_status starts with the subject
    )
    subject_name = models.CharField(_("subject name"), max_length=200, blank=True)
    subject_email = models.EmailField(_("subject email"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ja")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_requests",
        db_index=False,  # dsr_assignee_partial: new requests are unassigned
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_attachments = models.JSONField(_("reply attachments"), default=list, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    # APPI Art. 33(2), 36 (issue 21): the ground of a refusal, what a partial disclosure
    # withheld and why, and the disclosure method used when the chosen one could not be.
    refusal_ground = models.CharField(_("ground of refusal"), max_length=40, blank=True,
                                      default="")
    withheld = models.JSONField(_("withheld from the disclosure"), default=list, blank=True)
    method_used = models.CharField(_("disclosure method used"), max_length=12, blank=True,
                                   default="", choices=DisclosureMethod.choices)
    method_change_reason = models.TextField(_("why the chosen method could not be used"),
                                            blank=True, default="")

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"))
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("reply due at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    effective_due_at = models.DateTimeField(_("change effective by"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next deadline check"), null=True, blank=True)

    # A representative filing for the person (APPI Art. 37(3); services/representatives.py):
    # replies go to the representative; nothing is disclosed until staff verified them.
    representative_kind = models.CharField(_("representative"), max_length=16, blank=True,
                                           default="", choices=RepresentativeKind.choices)
    representative_name = models.CharField(_("representative's name"), max_length=200,
                                           blank=True, default="")
    representative_email = models.EmailField(_("representative's email"), blank=True, default="")
    representative_relation = models.CharField(_("relation to the person"), max_length=200,
                                               blank=True, default="")
    representative_status = models.CharField(_("representative verification"), max_length=16,
                                             blank=True, default="",
                                             choices=RepresentativeStatus.choices)
    representative_verified_at = models.DateTimeField(_("representative verified at"),
                                                      null=True, blank=True)
    representative_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("representative verified by"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_at"]
        permissions = [
            ("verify_identity", _("Can confirm the identity of a request's subject")),
        ]
        indexes = [
            models.Index(fields=["next_check_at"], name="dsr_next_check_partial",
                         condition=Q(next_check_at__isnull=False)),
            models.Index(fields=["subject", "status"], name="dsr_subject_status"),
            models.Index(fields=["status", "reply_due_at"], name="dsr_status_due"),
            models.Index(fields=["assignee"], name="dsr_assignee_partial",
                         condition=Q(assignee__isnull=False)),
        ]
        # Every filing pays each index on insert: no `_like` pattern index on the reference
        # (a UniqueConstraint instead of unique=True), no separate index on the subject.
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="dsr_reference_uniq"),
            # At most one open request per subject and type (issue 6, duplicates; issue 19).
            models.UniqueConstraint(
                fields=["subject", "type"], name="dsr_one_open_per_subject_type",
                condition=Q(subject__isnull=False, status__in=OPEN_STATUSES,
                            type__in=DUPLICATE_CHECKED_TYPES),
            ),
            models.UniqueConstraint(
                Lower("subject_email"), "type", name="dsr_one_open_per_email_type",
                condition=Q(subject__isnull=True, status__in=OPEN_STATUSES,
                            type__in=DUPLICATE_CHECKED_TYPES),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def recipient_email(self) -> str:
        return self.subject.email if self.subject_id else self.subject_email

    @property
    def display_name(self) -> str:
        if self.subject_id:
            return self.subject.get_full_name() or self.subject.username
        return self.subject_name


class RequestEvent(AppendOnlyModel):
    """Append-only timeline of a request: who did what, when, from which status to which."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.PROTECT,
                                related_name="events", verbose_name=_("request"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class VerificationChallenge(models.Model):
    """Identity check of a help-desk or web-form request: single-use link + 6-digit code.

    Only hashes are stored. A challenge dies when used, expired, superseded by a resend or
    after too many wrong codes.
    """

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE,
                                related_name="challenges")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification challenge")
        verbose_name_plural = _("verification challenges")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.created_at:%Y-%m-%d %H:%M}"


class ReferenceCounter(models.Model):
    """Per-year counter of human references DSR-YYYY-NNNNNN (row locked while incremented)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
