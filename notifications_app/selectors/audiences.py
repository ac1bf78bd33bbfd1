"""Campaign kinds whose audience and email content an app above this one supplies (issue 22:
incident notices), through notifications_app's hooks (hooks.py). That app registers its receivers
in its `AppConfig.ready()`; notifications_app never imports it. An unregistered kind reaches
nobody."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ccucaas_privacy.hooks import Hook
from notifications_app import hooks


@dataclass(frozen=True)
class Audience:
    recipients_hook: Hook  # (campaign=) -> users
    context_hook: Hook  # (campaign=, language=) -> email context

    @property
    def registered(self) -> bool:
        return bool(self.recipients_hook.receivers and self.context_hook.receivers)

    def recipients(self, campaign) -> QuerySet:
        return self.recipients_hook.call_one(campaign=campaign)

    def context(self, campaign, language: str) -> dict[str, Any]:
        return self.context_hook.call_one(campaign=campaign, language=language)


# Kinds that only ever go to a registered audience (never to every user).
AUDIENCES = {
    "incident_notice": Audience(recipients_hook=hooks.incident_notice_recipients,
                                context_hook=hooks.incident_notice_context),
}
AUDIENCE_KINDS = frozenset(AUDIENCES)


def audience_get(kind: str) -> Audience | None:
    """The kind's audience when an app registered it; otherwise None."""
    audience = AUDIENCES.get(kind)
    return audience if audience is not None and audience.registered else None
