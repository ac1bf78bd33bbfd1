"""Data migration: the purposes of RULES.md and policy version 1 (the 2025-07-30 policy)."""

from datetime import UTC, datetime
from pathlib import Path

from django.db import migrations

TEXTS = Path(__file__).resolve().parent.parent / "policy_texts"

PURPOSES = [
    # code, name_ja, name_en, description_ja, description_en, required, withdrawable,
    # parameterised, rule, order
    ("cross_border_storage", "国外でのデータ保管", "Storage of account data outside Japan",
     "アカウント内のデータ(ファイル、ドキュメント、電子メールなど)を国外の設備で保管することへの同意です。サービスの利用に必須で、撤回はアカウントの閉鎖を意味します。",
     "Your account data (files, documents, emails) may be stored on facilities outside Japan. Required to use the service: withdrawing it means closing the account.",
     True, False, False, "P07", 10),
    ("marketing_email", "新サービス・リリース・イベントのお知らせメール", "Emails about new services, releases and events",
     "ユーザー名とメールアドレスを、新サービスやリリース、イベントのご案内に利用します。いつでも撤回できます。本ポリシーの改定や管理上の通知は停止できません。",
     "Your username and email are used to tell you about new services, releases and events. You can withdraw at any time; administrative and policy-change notices cannot be stopped.",
     False, True, False, "P02, P19", 20),
    ("testimonial_publication", "称賛の声の公開", "Publication of your testimonial",
     "あなたの「称賛の声」(お名前を含むことがあります)をWebサイトで紹介します。撤回するとすぐに非公開になります。",
     "Your testimonial (which may include your name) is shown on the website. Withdrawing unpublishes it at once.",
     False, True, False, "P05", 30),
    ("persistent_login", "サインイン状態の維持", "Keep me signed in",
     "パーマネントクッキーを保存し、メールアドレスと紐付けて、ユーザー名とパスワードを入力せずにサインインできるようにします。",
     "A persistent cookie, linked to your email address, keeps you signed in without entering your username and password.",
     False, True, False, "P11", 40),
    ("analytics_tracking", "分析のためのトラッキング", "Tracking for analytics",
     "クッキー、ビーコン、タグ、スクリプトによる傾向分析と統計情報の収集です。ブラウザーのGlobal Privacy Control(GPC)信号は撤回として扱います。",
     "Cookies, beacons, tags and scripts for trend analysis and statistics. A Global Privacy Control (GPC) signal from your browser counts as a withdrawal.",
     False, True, False, "P12", 50),
    ("third_party_provision", "第三者への提供", "Provision to a third party",
     "サービスの提供と直接関係しない目的で、指定の提供先に個人情報を提供することへの事前の明確な許可です。",
     "Your explicit prior permission to give your personal data to the named recipient for a purpose not directly related to the service.",
     False, True, True, "P15", 60),
    ("new_purpose", "本ポリシーに記載のない目的での利用", "Use for a purpose not in the policy",
     "本ポリシーに記載された目的以外で個人情報を利用する場合の事前同意です。",
     "Your prior consent to use your personal data for a purpose not described in the policy.",
     False, True, True, "P20", 70),
]

V1_SUMMARY_JA = "CCUCaaSプライバシーポリシーの初版(2025年7月30日発行)。"
V1_SUMMARY_EN = "First version of the CCUCaaS privacy policy (issued 30 July 2025)."


def seed(apps, schema_editor):
    Purpose = apps.get_model("consent_app", "Purpose")
    PolicyVersion = apps.get_model("consent_app", "PolicyVersion")
    for (code, name_ja, name_en, desc_ja, desc_en, required, withdrawable, parameterised,
         rule, order) in PURPOSES:
        Purpose.objects.update_or_create(code=code, defaults={
            "name_ja": name_ja, "name_en": name_en, "description_ja": desc_ja,
            "description_en": desc_en, "required": required, "withdrawable": withdrawable,
            "parameterised": parameterised, "rule": rule, "sort_order": order})
    # 2025-07-30 00:00 JST
    effective = datetime(2025, 7, 29, 15, 0, tzinfo=UTC)
    PolicyVersion.objects.get_or_create(version="1", defaults={
        "effective_at": effective, "published_at": effective, "importance": "major",
        "summary_ja": V1_SUMMARY_JA, "summary_en": V1_SUMMARY_EN,
        "full_text_ja": (TEXTS / "2025-07-30.ja.txt").read_text(encoding="utf-8"),
        "full_text_en": (TEXTS / "2025-07-30.en-summary.txt").read_text(encoding="utf-8"),
    })


class Migration(migrations.Migration):
    dependencies = [("consent_app", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
