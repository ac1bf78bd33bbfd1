"""`@enforces("P21", "P14")`: an enforcing function declares the rules it keeps next to its
definition (DESIGN section 11; issue 18).

The decorator only records `module.qualname -> rules` in `ENFORCED_BY` and returns the function
itself, unchanged (no wrapper, no cost per call). `manage.py policy_matrix` reads the decorators
from the source (ccucaas_privacy/policy_matrix.py), so the matrix leads to these functions; the
record here lets a test prove that each function it names exists and carries the decorator.
"""

import re
from collections.abc import Callable
from typing import TypeVar

# A policy rule (RULES.md: P01-P26) or a statutory duty (docs/policy_rules.md: APPI-26).
RULE_ID = re.compile(r"^(?:P\d{2}|APPI-\d+)$")

F = TypeVar("F", bound=Callable)

ENFORCED_BY: dict[str, tuple[str, ...]] = {}


def enforces(*rule_ids: str) -> Callable[[F], F]:
    """Declare that the decorated function enforces `rule_ids`; the function is returned as is."""
    if not rule_ids:
        raise ValueError("enforces() needs at least one rule ID, e.g. enforces(\"P21\").")
    for rule in rule_ids:
        if not RULE_ID.match(rule):
            raise ValueError(f"{rule!r} is not a rule ID (P01-P26 or APPI-<article>).")

    def record(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"
        ENFORCED_BY[name] = tuple(dict.fromkeys((*ENFORCED_BY.get(name, ()), *rule_ids)))
        return func

    return record
