"""Demo data of this app for `manage.py seed_demo`. Idempotent: the outbox's idempotency keys
make a second run queue nothing new."""

from typing import TextIO

from django.contrib.auth import get_user_model

from notifications_app.services.outbox import notification_queue

WELCOME = {
    "ja": {"title": "プライバシーポータルを公開しました",
           "body": "開示・訂正・削除のご請求や、苦情・相談・お問い合わせをポータルから受け付けます。",
           "effective_date": "2026-12-01"},
    "en": {"title": "The privacy portal is open",
           "body": "You can now ask for disclosure, correction or deletion of your data, and send "
                   "complaints and inquiries, in the portal.",
           "effective_date": "2026-12-01"},
}
NEWS = {
    "ja": {"headline": "CCUCaaS 2.0 リリースのお知らせ",
           "summary": "新しい録画機能とダッシュボードをご利用いただけます。", "event_date": "2026-12-10"},
    "en": {"headline": "CCUCaaS 2.0 is out",
           "summary": "New recording features and a new dashboard are available.",
           "event_date": "2026-12-10"},
}


def seed(stdout: TextIO) -> None:
    """The news email is queued only for demo users whose marketing consent the accounts and
    consent demo data granted; the others show as `suppressed` in the admin (P02)."""
    users = get_user_model().objects.filter(username__in=["alice", "bob"]).order_by("username")
    for user in users:
        language = user.language if user.language in WELCOME else "ja"
        notice = notification_queue(kind="administrative_notice", cause="demo:portal-open",
                                    context=WELCOME[language], user=user)
        news = notification_queue(kind="marketing_announcement", cause="demo:release-2-0",
                                  context=NEWS[language], user=user)
        stdout.write(f"  email to {user.username}: notice {notice.status}, news {news.status}\n")
