"""The one way a lower app calls a higher one: a named hook the lower app owns.

The apps are layered (pyproject.toml, `[tool.importlinter]`): an app imports only itself and the
apps below it. When a lower app needs something done by a higher one (consent publishing a major
version -> notifications starts a campaign; accounts closing -> requests files a deletion), the
lower app declares a `Hook` at module level and calls it; the higher app registers its function
from its `AppConfig.ready()`:

    # consent_app/hooks.py (the owner, lower)
    policy_version_published = Hook("consent_app.policy_version_published")

    # notifications_app/apps.py (the receiver, higher)
    def ready(self):
        from consent_app.hooks import policy_version_published
        policy_version_published.register(campaigns.campaign_start_for_policy)

    # consent_app/services.py
    policy_version_published.call(version=version, now=now)

Unlike Django signals, receivers get keyword arguments only (no `sender`), their return values
come back in registration order, and an exception in a receiver propagates to the caller (so it
rolls back the caller's transaction). No weak references: a registered function stays registered.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Receiver = Callable[..., Any]


class HookNotRegistered(ImproperlyConfigured):
    """`call_one` found no receiver (or more than one): an app that should register one is missing."""


class Hook:
    """A named registry of receivers, owned by the app that calls it."""

    def __init__(self, name: str, *, doc: str = "") -> None:
        self.name = name
        self.doc = doc
        self._receivers: list[Receiver] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({len(self._receivers)} receivers)>"

    def register(self, func: Receiver) -> Receiver:
        """Add `func` (idempotent: registering the same function again does nothing). Returns `func`,
        so it also works as a decorator."""
        if not callable(func):
            raise TypeError(f"hook {self.name}: receiver {func!r} is not callable")
        if func not in self._receivers:
            self._receivers.append(func)
        return func

    def unregister(self, func: Receiver) -> None:
        """Remove `func` if registered (for tests that register a temporary receiver)."""
        if func in self._receivers:
            self._receivers.remove(func)

    @property
    def receivers(self) -> tuple[Receiver, ...]:
        return tuple(self._receivers)

    def call(self, **kwargs: Any) -> list[Any]:
        """Call every receiver with `kwargs`, in registration order; their results, in that order.
        No receiver -> an empty list (use `call_one` where a receiver is required)."""
        return [func(**kwargs) for func in tuple(self._receivers)]

    def call_one(self, **kwargs: Any) -> Any:
        """Call the one receiver and return its result; `HookNotRegistered` if there is none or
        more than one (a hook that must be answered by exactly one app)."""
        receivers = tuple(self._receivers)
        if len(receivers) != 1:
            raise HookNotRegistered(
                f"hook {self.name} needs exactly one receiver, has {len(receivers)}"
                " (is the app that registers it in INSTALLED_APPS?)"
            )
        return receivers[0](**kwargs)
