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

# Version 2 has its own text (issue 19): what its summary says changed, changed in the text.
V2_DISCLOSURE_JA = "開示の対象には、ユーザーの個人情報を第三者に提供した記録も含まれます。"
V2_DISCLOSURE_EN = ("Disclosure includes the records of each provision of your data to third "
                    "parties.")
V2_HELP_DESK_JA = ("相談窓口\n"
                   "CCArchitect株式会社 個人情報相談窓口\n"
                   "本サイトの「相談窓口」ページのフォームからご連絡ください。アカウントをお持ちでない方、"
                   "サインインできない方もご利用いただけます。ご本人確認のため、入力されたメールアドレスに"
                   "確認用のリンクとコードをお送りします。")
V2_HELP_DESK_EN = ("17. Help desk. CCArchitect Co., Ltd., privacy help desk: use the form on the "
                   "\"Help desk\" page of this site, also if you have no account or cannot sign in. "
                   "We email a link and a code to the address you give to confirm your identity.")


def v2_texts(v1: PolicyVersion) -> dict[str, str]:
    """The Japanese and English text of version 2, derived from version 1's."""
    ja = v1.full_text_ja.rstrip()
    marker = "最大48時間が必要です。"
    ja = ja.replace(marker, marker + V2_DISCLOSURE_JA, 1)
    en = v1.full_text_en.rstrip()
    en_marker = "the change takes effect within 48 hours of the reply."
    en = en.replace(en_marker, en_marker + " " + V2_DISCLOSURE_EN, 1)
    return {"full_text_ja": ja + "\n" + V2_HELP_DESK_JA + "\n",
            "full_text_en": (en + "\n" + V2_HELP_DESK_EN + "\n") if en else ""}


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
        **v2_texts(v1), **V2)
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
