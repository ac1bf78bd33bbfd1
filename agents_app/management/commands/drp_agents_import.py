"""Import the DRP directory's agents.json: `manage.py drp_agents_import agents.json`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents_app.services import agents_import
from ccucaas_privacy.errors import DomainError


class Command(BaseCommand):
    help = "Import or update authorized agents from a DRP directory agents.json file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            saved = agents_import(document=document, actor=None)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{len(saved)} agents imported")
