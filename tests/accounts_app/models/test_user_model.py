"""P01: usernames and emails are unique case-insensitively, enforced by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts_app.models import User
from accounts_app.services.accounts import user_create


def test_p01_username_unique_case_insensitively_in_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ALICE", email="other@example.jp")


def test_p01_email_unique_case_insensitively_in_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="alice2", email="Alice@Example.JP")


def test_p01_user_create_reports_duplicate_username_as_a_clear_error(alice):
    with pytest.raises(ValidationError, match="同じユーザー名が既に登録済みです"):
        user_create(username="Alice", email="new@example.jp", password="correct-horse-battery-42")
    with translation.override("en"), pytest.raises(ValidationError, match="username already exists"):
        user_create(username="Alice", email="new@example.jp", password="correct-horse-battery-42")
    assert User.objects.count() == 1


def test_p03_sign_in_lookup_ignores_username_case(alice):
    assert User.objects.get_by_natural_key("ALICE") == alice


def test_new_user_prefers_japanese_and_is_active_with_timestamps(alice):
    assert alice.language == "ja"
    assert alice.is_active
    assert alice.created_at is not None
    assert alice.updated_at is not None
    assert alice.check_password("correct-horse-battery-42")


@pytest.mark.django_db
def test_seed_demo_is_idempotent(content_dir):
    from django.core.management import call_command

    from accounts_app.models import (
        Contact,
        ContentFile,
        ForumPost,
        PaymentReference,
        UsageDaily,
        UsageRecord,
        VisitorLog,
    )
    from consent_app.selectors import consent_is_granted

    call_command("seed_demo")
    counts = [m.objects.count() for m in (Contact, ContentFile, ForumPost, PaymentReference,
                                          UsageRecord, UsageDaily, VisitorLog)]
    call_command("seed_demo")
    assert User.objects.filter(username__in=["officer", "alice", "bob"]).count() == 3
    officer = User.objects.get(username="officer")
    assert officer.is_superuser and officer.is_staff
    assert [m.objects.count() for m in (Contact, ContentFile, ForumPost, PaymentReference,
                                        UsageRecord, UsageDaily, VisitorLog)] == counts
    for username in ("alice", "bob"):
        user = User.objects.get(username=username)
        assert consent_is_granted(user=user, purpose="cross_border_storage")
        for related in ("contacts", "content_files", "forum_posts", "payment_references",
                        "usage_records", "visitor_logs"):
            assert getattr(user, related).exists(), (username, related)
