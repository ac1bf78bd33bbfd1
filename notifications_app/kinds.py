"""The registry of email kinds. Each app registers its kinds in its `AppConfig.ready()`.

A kind's category decides how it is sent (P19): `mandatory` mail always goes out and offers no
unsubscribe; `marketing` mail goes only to users whose `marketing_email` consent is granted and
carries RFC 8058 one-click unsubscribe headers.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    MANDATORY = "mandatory", _("Mandatory")
    MARKETING = "marketing", _("Marketing")


class KindRegistryError(ValueError):
    """A kind was registered wrongly (unknown category, two categories for one kind)."""


@dataclass(frozen=True)
class Kind:
    name: str
    category: str
    description: str = ""

    @property
    def is_marketing(self) -> bool:
        return self.category == Category.MARKETING


_REGISTRY: dict[str, Kind] = {}


def register_kind(kind: str, *, category: str, description: str = "") -> Kind:
    """Register an email kind. Registering the same kind again with the same category is a
    no-op (ready() may run twice in tests); a different category is refused."""
    if category not in Category.values:
        raise KindRegistryError(
            f"Unknown email category {category!r} for kind {kind!r}; "
            f"use one of {', '.join(Category.values)}."
        )
    if not kind or not kind.replace("_", "").isalnum() or not kind.islower():
        raise KindRegistryError(
            f"Email kind {kind!r} must be lower-case letters, digits and underscores "
            "(it names the templates emails/<kind>.subject.txt, .txt and .html)."
        )
    category = Category(category).value  # the plain string, also when given the enum member
    existing = _REGISTRY.get(kind)
    if existing is not None and existing.category != category:
        raise KindRegistryError(
            f"Email kind {kind!r} is already registered as {existing.category!r}; "
            f"it cannot also be {category!r}."
        )
    _REGISTRY[kind] = Kind(name=kind, category=category, description=description)
    return _REGISTRY[kind]


def kind_get(kind: str) -> Kind | None:
    return _REGISTRY.get(kind)


def kinds_all() -> list[Kind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.name)
