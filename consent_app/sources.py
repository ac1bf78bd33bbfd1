"""consent_app's data as sources of the fulfilment registry (ccucaas_privacy.datasources; DESIGN
section 6). The ledger, policy acceptances and provision records are evidence (append-only, a
PostgreSQL trigger refuses changes): a deletion retains them with the reason, and the account
row they point at is pseudonymised by the profile source. Testimonials are erased (P05, P21)."""

from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.datasources import (
    KEPT_WHILE_ACCOUNT_OPEN,
    DataSource,
    ErasureResult,
    EvidenceRowsSource,
    Retention,
    register,
)
from ccucaas_privacy.evidence import evidence_erase
from consent_app import exports, services

EVIDENCE = "evidence of consent kept under a legal obligation (append-only ledger)"


class ConsentEventSource(EvidenceRowsSource):
    category = "consent_events"
    rule = "P02"
    title = _("Consent events")
    description = _("Every consent you gave or withdrew (marketing email, testimonials, storage "
                    "outside Japan, persistent login, analytics, provision to third parties), "
                    "with the policy version, channel, IP address and browser.")
    models = ("consent_app.ConsentEvent",)
    columns = ("receipt_id", "purpose", "action", "channel", "policy_version", "ip",
               "user_agent", "time")
    retained_reason = EVIDENCE

    def export(self, user):
        yield from exports.consents_export(user=user)


class PolicyAcceptanceSource(EvidenceRowsSource):
    category = "policy_acceptances"
    rule = "P25"
    title = _("Policy acceptances")
    description = _("Which versions of the privacy policy you accepted, and how.")
    models = ("consent_app.PolicyAcceptance",)
    columns = ("version", "kind", "channel", "ip", "time")
    retained_reason = EVIDENCE

    def export(self, user):
        yield from exports.policy_acceptances_export(user=user)


class TestimonialSource(DataSource):
    category = "testimonials"
    rule = "P05"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Testimonials")
    description = _("Testimonials (称賛の声) about the service under your name; published only "
                    "with your consent.")
    models = ("consent_app.Testimonial",)
    columns = ("display_name", "body", "language", "published", "created_at")

    def export(self, user):
        yield from exports.testimonials_export(user=user)

    def erase(self, user):
        return ErasureResult(erased=services.testimonials_erase(user=user))


class ProvisionSource(EvidenceRowsSource):
    category = "provisions"
    rule = "P15"
    # 個人情報保護法施行規則 第21条: 3 years (settings/components/retention.py says why not 1).
    retention = Retention(text=_("Kept %(period)s after each provision, as the APPI enforcement "
                                 "rules (Art. 21) require, then erased."), setting="provisions")
    title = _("Provision to third parties")
    description = _("Each time your data was provided to someone else: recipient, purpose, "
                    "legal basis, categories of data and time (P14-P16, P22).")
    models = ("consent_app.ProvisionRecord",)
    columns = ("recipient", "recipient_type", "purpose", "legal_basis", "data_categories",
               "provided_at", "consent_receipt_id")
    retained_reason = "record of provision kept under APPI Art. 29/30"

    def export(self, user):
        yield from exports.provisions_export(user=user)

    def retention_querysets(self, *, cutoff):
        from consent_app.models import ProvisionRecord

        return [ProvisionRecord.objects.filter(provided_at__lt=cutoff)]

    def retention_apply(self, *, rows):
        """The record is evidence: its period over, it is erased the one sanctioned way."""
        return ErasureResult(erased=evidence_erase(
            rows, reason="APPI Art. 22: record of provision past its retention period"))


class ProcessingRestrictionSource(EvidenceRowsSource):
    category = "processing_restrictions"
    rule = "P21"
    title = _("Stops of use and of provision")
    description = _("The stops of use and of provision to third parties you asked for and we "
                    "accepted (APPI Art. 35): what is stopped, from when, and to what extent.")
    models = ("consent_app.ProcessingRestriction",)
    columns = ("request_reference", "kind", "purpose", "recipient", "erase", "scope",
               "scope_note", "substitute_measure", "substitute_reason", "effective_from",
               "created_at")
    ordering = ("effective_from", "id")
    retained_reason = "record of an accepted stop of use or of provision (APPI Art. 35)"


SOURCES = (ConsentEventSource, PolicyAcceptanceSource, TestimonialSource, ProvisionSource,
           ProcessingRestrictionSource)


def sources_register() -> None:
    for source in SOURCES:
        register(source)


