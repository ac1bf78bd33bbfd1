"""Policy traceability (DESIGN section 11): each rule -> the functions enforcing it -> its tests.

Enforcing functions are those that declare the rule next to their definition with
`@enforces("P21")` (ccucaas_privacy/rules.py), listed as `module.function`; a comment or help
text citing a rule ID is not an enforcing function. Tests are found by name (`test_p21_...`,
several IDs allowed: `test_p14_p15_...`, `test_appi26_...`) or `@pytest.mark.rule("P21")`.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

RULE_ROW = re.compile(r"^\|\s*(P\d{2})\s*\|\s*(.+?)\s*\|\s*$")
TEST_NAME_RULES = re.compile(r"(?:^|_)p(\d{2})(?=_)")
MARK_RULE = re.compile(r"""mark\.rule\(\s*["'](P\d{2}|APPI-\d+)["']""")
# Statutory duties beyond the policy (docs/policy_rules.md, second table): "APPI-26" declared in
# code as such, in test names as `test_appi26_...`.
STATUTE_ROW = re.compile(r"^\|\s*(APPI-\d+)\s*\|\s*(.+?)\s*\|\s*$")
TEST_NAME_STATUTES = re.compile(r"(?:^|_)appi(\d+)(?=_)")
CODE_DIRS = ("ccucaas_privacy", "accounts_app", "consent_app", "notifications_app", "requests_app",
             "agents_app", "incidents_app", "automation_app")
DECORATOR = "enforces"


@dataclass
class RuleTrace:
    rule: str
    title: str
    code: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        """No test proves the rule."""
        return not self.tests

    @property
    def is_unenforced(self) -> bool:
        """No function declares that it enforces the rule."""
        return not self.code


def rules(root: Path) -> list[tuple[str, str]]:
    text = (root / "docs" / "policy_rules.md").read_text(encoding="utf-8")
    return [m.groups() for line in text.splitlines() if (m := RULE_ROW.match(line))]


def statutes(root: Path) -> list[tuple[str, str]]:
    text = (root / "docs" / "policy_rules.md").read_text(encoding="utf-8")
    return [m.groups() for line in text.splitlines() if (m := STATUTE_ROW.match(line))]


def declared_rules(node: ast.AST) -> list[str]:
    """The rule IDs of the `@enforces(...)` decorators of a function or class definition."""
    found = []
    for decorator in getattr(node, "decorator_list", ()):
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == DECORATOR:
            found += [arg.value for arg in decorator.args
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return found


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def enforcing_functions(root: Path) -> dict[str, set[str]]:
    """rule -> {"module.qualname"} of every function declared `@enforces(rule)`."""
    found: dict[str, set[str]] = {}

    def visit(node: ast.AST, module: str, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for rule in declared_rules(child):
                    found.setdefault(rule, set()).add(f"{module}.{prefix}{child.name}")
                # functions defined inside a function are not importable: not looked into
            elif isinstance(child, ast.ClassDef):
                visit(child, module, f"{prefix}{child.name}.")

    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            if DECORATOR not in source:
                continue
            visit(ast.parse(source), module_name(root, path), "")
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


def policy_matrix(root: Path | None = None, *, statutory: bool = False) -> list[RuleTrace]:
    """The policy's rules; with `statutory`, the statutory duties (APPI-26, ...) instead."""
    root = root or Path(settings.BASE_DIR)
    code, tests = enforcing_functions(root), _test_references(root)
    listed = statutes(root) if statutory else rules(root)
    return [RuleTrace(rule=rule, title=title, code=sorted(code.get(rule, ())),
                      tests=sorted(tests.get(rule, ()))) for rule, title in listed]


def as_markdown(traces: list[RuleTrace], *, limit: int = 4) -> str:
    def cell(items: list[str], *, limit: int | None = None) -> str:
        if not items:
            return "**gap**"
        shown = ", ".join(f"`{item}`" for item in items[:limit])
        return shown + (f" (+{len(items) - limit} more)" if limit and len(items) > limit else "")

    lines = ["| rule | title | enforced by | proven by |", "|---|---|---|---|"]
    for t in traces:
        lines.append(f"| {t.rule} | {t.title} | {cell(t.code)} | {cell(t.tests, limit=limit)} |")
    gaps = [t.rule for t in traces if t.is_gap]
    unenforced = [t.rule for t in traces if t.is_unenforced]
    lines.append("")
    lines.append(f"{len(traces) - len(unenforced)} of {len(traces)} rules name their enforcing "
                 "functions." + (f" Gaps: {', '.join(unenforced)}." if unenforced else ""))
    lines.append(f"{len(traces) - len(gaps)} of {len(traces)} rules have tests."
                 + (f" Gaps: {', '.join(gaps)}." if gaps else ""))
    return "\n".join(lines) + "\n"
