"""Idempotent demo data for `make run`: run it any number of times, get the same state.

Each app seeds its own part in `<app>/demo.py`, in dependency order.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts_app.demo import DEMO_PASSWORD, seed_staff_second_factor

SEED_ORDER = ["accounts_app", "consent_app", "notifications_app", "requests_app"]


class Command(BaseCommand):
    help = "Load demo data (idempotent). Never run against production data."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for app in SEED_ORDER:
            import_module(f"{app}.demo").seed(self.stdout)
        seed_staff_second_factor(self.stdout)  # after requests_app created the support agent
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready; every demo password is {DEMO_PASSWORD!r}.")
        )
