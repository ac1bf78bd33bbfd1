"""Campaign kinds whose audience and email content an app above this one supplies (issue 22:
incident notices). That app registers them in its `AppConfig.ready()`; notifications_app never
imports it. An unregistered kind reaches nobody."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# Kinds that only ever go to a registered audience (never to every user).
AUDIENCE_KINDS = frozenset({"incident_notice"})


@dataclass(frozen=True)
class Audience:
    recipients: Callable[[Any], QuerySet]  # campaign -> users
    context: Callable[[Any, str], dict[str, Any]]  # (campaign, language) -> email context


_REGISTRY: dict[str, Audience] = {}


def audience_register(kind: str, *, recipients: Callable[[Any], QuerySet],
                      context: Callable[[Any, str], dict[str, Any]]) -> Audience:
    if kind not in AUDIENCE_KINDS:
        raise ValueError(f"campaign kind {kind!r} does not take a registered audience")
    _REGISTRY[kind] = Audience(recipients=recipients, context=context)
    return _REGISTRY[kind]


def audience_get(kind: str) -> Audience | None:
    return _REGISTRY.get(kind)
