"""Idempotent demo data for `make run`: run it any number of times, get the same accounts."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts_app.models import User
from accounts_app.services import user_create

DEMO_PASSWORD = "ccucaas-demo-2026"
DEMO_ACCOUNTS = [
    # username, email, language, is_superuser, role shown in the banner
    ("officer", "officer@ccucaas.example", "ja", True, "privacy officer (superuser)"),
    ("alice", "alice@example.jp", "ja", False, "user (Japanese)"),
    ("bob", "bob@example.com", "en", False, "user (English)"),
]


class Command(BaseCommand):
    help = "Load demo accounts (idempotent). Never run against production data."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for username, email, language, is_superuser, role in DEMO_ACCOUNTS:
            if User.objects.filter(username__iexact=username).exists():
                self.stdout.write(f"  {username:<8} {role}: already there")
                continue
            user_create(
                username=username,
                email=email,
                password=DEMO_PASSWORD,
                language=language,
                is_superuser=is_superuser,
            )
            self.stdout.write(f"  {username:<8} {role}: created")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready; every demo password is {DEMO_PASSWORD!r}."))
