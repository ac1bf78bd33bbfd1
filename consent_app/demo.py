"""Demo data of this app for `manage.py seed_demo`. Idempotent.

Policy version 1 comes from migration 0002. Here: a minor version 2 announced for the future,
and, when the demo users already exist (accounts seeds after this app), their consents, a
testimonial and provisions to two service providers. Absent users are skipped.
"""

from datetime import timedelta
from typing import TextIO

from django.contrib.auth import get_user_model

from ccucaas_privacy import clock
from consent_app import services
from consent_app.models import PolicyVersion, ProvisionRecord, Testimonial

V2 = {
    "version": "2",
    "importance": "minor",
    "summary_ja": "相談窓口の連絡先の表記を更新し、第三者提供の記録を開示対象として明記しました(軽微な変更)。",
    "summary_en": "Updated how the help desk contact is shown and stated that records of "
                  "provision to third parties are included in disclosures (minor change).",
}

PROVIDERS = [
    ("CloudStore Inc. (storage, US)", "Data storage of account content",
     ["profile", "account_content"]),
    ("PayFlow K.K. (payment processing)", "Payment processing", ["profile", "payment"]),
]


def seed(stdout: TextIO) -> None:
    _seed_policy_v2(stdout)
    User = get_user_model()
    for username in ("alice", "bob"):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            stdout.write(f"  consent: user {username} absent, skipped\n")
            continue
        _seed_user(user, stdout)


def _seed_policy_v2(stdout: TextIO) -> None:
    if PolicyVersion.objects.filter(version=V2["version"]).exists():
        stdout.write("  policy version 2: already there\n")
        return
    v1 = PolicyVersion.objects.get(version="1")
    services.policy_version_publish(
        effective_at=clock.now() + timedelta(days=14),
        full_text_ja=v1.full_text_ja, full_text_en=v1.full_text_en, **V2)
    stdout.write("  policy version 2 (minor, effective in 14 days): published\n")


def _seed_user(user, stdout: TextIO) -> None:
    # Sign-up recorded the user's own choices (storage abroad, marketing, policy); the demo
    # only adds the testimonial consent its published testimonial needs.
    services.consent_grant(user=user, purpose="testimonial_publication", channel="portal")
    if not Testimonial.objects.filter(user=user).exists():
        body = ("毎日の業務に欠かせないサービスです。" if user.language == "ja"
                else "An essential part of our daily work.")
        services.testimonial_create(user=user, display_name=user.username.capitalize(),
                                    body=body, language=user.language, ready=True)
    for recipient, purpose, categories in PROVIDERS:
        if ProvisionRecord.objects.filter(user=user, recipient=recipient).exists():
            continue
        services.provision_record(
            user=user, recipient=recipient, recipient_type="service_provider",
            purpose=purpose, legal_basis="service_delegation", data_categories=categories,
            provided_at=clock.now() - timedelta(days=1))
    stdout.write(f"  consent: {user.username} consents, testimonial, provisions ok\n")
