"""Notice of the purposes of use (利用目的の通知, APPI Art. 32(2); issue 21): what each category
of the person's data is used for, from the data-source registry and the purposes registry."""

from typing import Any

from django.utils import translation

from ccucaas_privacy.datasources import all_sources
from ccucaas_privacy.rules import enforces


@enforces("APPI-32")
def purpose_notice_categories(*, language: str) -> list[dict[str, Any]]:
    """[{"category", "title", "uses", "purposes": [names of the registry's purposes]}] in
    `language`: each data source's description says its use; the purposes of the same policy
    rule (consent_app.models.Purpose.rule) are listed with it."""
    from consent_app.models import Purpose

    with translation.override(language):
        by_rule: dict[str, list[str]] = {}
        for purpose in Purpose.objects.all():
            if purpose.rule:
                by_rule.setdefault(purpose.rule, []).append(purpose.name)
        return [{"category": source.category, "title": str(source.title),
                 "uses": str(source.description), "purposes": by_rule.get(source.rule, [])}
                for source in all_sources()]
