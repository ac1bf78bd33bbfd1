"""Fixtures of the incident register tests: officers from the requests tests, and incidents
recorded through the services."""

from datetime import UTC, datetime, timedelta

from incidents_app import services
from tests.requests_app.conftest import privacy_officer, support_agent  # noqa: F401

# 2026-11-29 10:00 JST, the example day of RULES.md.
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)

NOTICE = {
    "ja": {"what_happened": "不正アクセスによりメールアドレスが漏えいしました。",
           "data": "メールアドレス", "what_we_did": "アクセス経路を遮断しました。",
           "what_you_can_do": "不審なメールにご注意ください。"},
    "en": {"what_happened": "Email addresses leaked through unauthorised access.",
           "data": "Your email address", "what_we_did": "We closed the access path.",
           "what_you_can_do": "Beware of suspicious emails."},
}


def record(actor=None, *, now=T0, known_at=None, **fields):
    defaults = {"title": "顧客DBへの不正アクセス", "reported_by": "情報システム部 山田",
                "description": "外部から顧客DBへの不正アクセスを検知", "data_items": ["メールアドレス"],
                "data_categories": ["profile"]}
    defaults.update(fields)
    return services.incident_create(known_at=known_at or now - timedelta(hours=2), actor=actor,
                                    now=now, **defaults)
