"""consent_app's data as sources of the fulfilment registry (ccucaas_privacy.datasources; DESIGN
section 6). The ledger, policy acceptances and provision records are evidence (append-only, a
PostgreSQL trigger refuses changes): a deletion retains them with the reason, and the account
row they point at is pseudonymised by the profile source. Testimonials are erased (P05, P21)."""

from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.datasources import DataSource, ErasureResult, EvidenceRowsSource, register
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
    title = _("Provision to third parties")
    description = _("Each time your data was provided to someone else: recipient, purpose, "
                    "legal basis, categories of data and time (P14-P16, P22).")
    models = ("consent_app.ProvisionRecord",)
    columns = ("recipient", "recipient_type", "purpose", "legal_basis", "data_categories",
               "provided_at", "consent_receipt_id")
    retained_reason = "record of provision kept under APPI Art. 29/30"

    def export(self, user):
        yield from exports.provisions_export(user=user)


SOURCES = (ConsentEventSource, PolicyAcceptanceSource, TestimonialSource, ProvisionSource)


def sources_register() -> None:
    for source in SOURCES:
        register(source)


