"""Helpers for the campaign tests: publish a policy version, count what each user received."""

from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import mail

from ccucaas_privacy import clock

SUMMARY = {"summary_ja": "第三者提供の記録を開示対象に加えます。",
           "summary_en": "Records of provision to third parties become disclosable."}


def publish(version: str = "3", *, days: float = 31, importance: str = "major", **extra):
    from consent_app.services import policy_version_publish

    fields = {**SUMMARY, "full_text_ja": "全文", "full_text_en": "Full text", **extra}
    return policy_version_publish(version=version, importance=importance,
                                  effective_at=clock.now() + timedelta(days=days), **fields)


def users(n: int, prefix: str = "camp", **fields) -> list:
    model = get_user_model()
    model.objects.bulk_create([
        model(username=f"{prefix}{i:04d}", email=f"{prefix}{i:04d}@example.jp",
              language="en" if i % 2 else "ja", password="!", **fields) for i in range(n)])
    return list(model.objects.filter(username__startswith=prefix).order_by("pk"))


def users_in(n: int, prefix: str, language: str) -> list:
    """`n` users who all read `language`."""
    model = get_user_model()
    model.objects.bulk_create([
        model(username=f"{prefix}{i:04d}", email=f"{prefix}{i:04d}@example.jp",
              language=language, password="!") for i in range(n)])
    return list(model.objects.filter(username__startswith=prefix).order_by("pk"))


def sent_per_recipient() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)
