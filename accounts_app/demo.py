"""Demo accounts for `manage.py seed_demo`. Idempotent."""

from typing import TextIO

from accounts_app.models import User
from accounts_app.services import user_create

DEMO_PASSWORD = "ccucaas-demo-2026"  # noqa: S105 - demo data, printed by `make run`
DEMO_ACCOUNTS = [
    # username, email, language, is_superuser, role
    ("officer", "officer@ccucaas.example", "ja", True, "privacy officer (superuser)"),
    ("alice", "alice@example.jp", "ja", False, "user (Japanese)"),
    ("bob", "bob@example.com", "en", False, "user (English)"),
]


def seed(stdout: TextIO) -> None:
    for username, email, language, is_superuser, role in DEMO_ACCOUNTS:
        if User.objects.filter(username__iexact=username).exists():
            stdout.write(f"  {username:<8} {role}: already there\n")
            continue
        user_create(
            username=username,
            email=email,
            password=DEMO_PASSWORD,
            language=language,
            is_superuser=is_superuser,
        )
        stdout.write(f"  {username:<8} {role}: created\n")
