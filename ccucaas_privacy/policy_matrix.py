"""Policy traceability (DESIGN section 11): each rule -> the code enforcing it -> its tests.

Code is found by rule IDs cited in the apps' source (comments, docstrings, help texts); tests by
test names (`test_p21_...`, several IDs allowed: `test_p14_p15_...`) or `@pytest.mark.rule("P21")`.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

RULE_ROW = re.compile(r"^\|\s*(P\d{2})\s*\|\s*(.+?)\s*\|\s*$")
RULE_ID = re.compile(r"\bP(\d{2})\b")
TEST_NAME_RULES = re.compile(r"(?:^|_)p(\d{2})(?=_)")
MARK_RULE = re.compile(r"""mark\.rule\(\s*["'](P\d{2}|APPI-\d+)["']""")
# Statutory duties beyond the policy (docs/policy_rules.md, second table): "APPI-26" cited in
# code as such, in test names as `test_appi26_...`.
STATUTE_ROW = re.compile(r"^\|\s*(APPI-\d+)\s*\|\s*(.+?)\s*\|\s*$")
STATUTE_ID = re.compile(r"\bAPPI-(\d+)\b")
TEST_NAME_STATUTES = re.compile(r"(?:^|_)appi(\d+)(?=_)")
CODE_DIRS = ("ccucaas_privacy", "accounts_app", "consent_app", "notifications_app", "requests_app",
             "incidents_app")


@dataclass
class RuleTrace:
    rule: str
    title: str
    code: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return not self.tests


def rules(root: Path) -> list[tuple[str, str]]:
    text = (root / "docs" / "policy_rules.md").read_text(encoding="utf-8")
    return [m.groups() for line in text.splitlines() if (m := RULE_ROW.match(line))]


def _code_references(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts or path.name == "policy_matrix.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                ids = [f"P{n}" for n in RULE_ID.findall(line)]
                ids += [f"APPI-{n}" for n in STATUTE_ID.findall(line)]
                for rule in ids:
                    found.setdefault(rule, set()).add(f"{path.relative_to(root)}:{number}")
    return found


def _test_references(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((root / "tests").rglob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not node.name.startswith("test_"):
                continue
            ids = {f"P{n}" for n in TEST_NAME_RULES.findall(node.name)}
            ids |= {f"APPI-{n}" for n in TEST_NAME_STATUTES.findall(node.name)}
            decorators = "\n".join(ast.get_source_segment(source, d) or "" for d in node.decorator_list)
            ids |= set(MARK_RULE.findall(decorators))
            for rule in ids:
                found.setdefault(rule, set()).add(f"{path.relative_to(root)}::{node.name}")
    return found


def statutes(root: Path) -> list[tuple[str, str]]:
    text = (root / "docs" / "policy_rules.md").read_text(encoding="utf-8")
    return [m.groups() for line in text.splitlines() if (m := STATUTE_ROW.match(line))]


def policy_matrix(root: Path | None = None, *, statutory: bool = False) -> list[RuleTrace]:
    """The policy's rules; with `statutory`, the statutory duties (APPI-26, ...) instead."""
    root = root or Path(settings.BASE_DIR)
    code, tests = _code_references(root), _test_references(root)
    listed = statutes(root) if statutory else rules(root)
    return [RuleTrace(rule=rule, title=title, code=sorted(code.get(rule, ())),
                      tests=sorted(tests.get(rule, ()))) for rule, title in listed]


def as_markdown(traces: list[RuleTrace], *, limit: int = 4) -> str:
    def cell(items: list[str]) -> str:
        if not items:
            return "**gap**"
        shown = ", ".join(f"`{item}`" for item in items[:limit])
        return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")

    lines = ["| rule | title | enforced in | proven by |", "|---|---|---|---|"]
    for t in traces:
        lines.append(f"| {t.rule} | {t.title} | {cell(t.code)} | {cell(t.tests)} |")
    gaps = [t.rule for t in traces if t.is_gap]
    lines.append("")
    lines.append(f"{len(traces) - len(gaps)} of {len(traces)} rules have tests."
                 + (f" Gaps: {', '.join(gaps)}." if gaps else ""))
    return "\n".join(lines) + "\n"
