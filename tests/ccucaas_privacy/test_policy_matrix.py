"""DESIGN section 11: every rule -> the functions enforcing it -> tests; a rule without a test
or without an enforcing function is a gap (issue 18: the matrix leads to the code)."""

import ast
import importlib
import inspect
import textwrap

import pytest
from django.core.management import CommandError, call_command

from ccucaas_privacy.policy_matrix import as_markdown, declared_rules, policy_matrix
from ccucaas_privacy.rules import ENFORCED_BY, enforces
from tests.conftest import ROOT


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "docs" / "policy_rules.md",
          "| rule | title |\n|---|---|\n| P21 | Disclosure |\n| P23 | Audits |\n| P25 | Policy changes |\n")
    write(tmp_path / "requests_app" / "services.py",
          "from ccucaas_privacy.rules import enforces\n\n\n"
          "@enforces(\"P21\", \"P25\")\ndef request_reply():  # P23 only mentioned here\n    pass\n\n\n"
          "class Report:\n    @enforces(\"P23\")\n    def figures(self):\n        pass\n\n\n"
          "def reply_due():  # P21: 30 days (a mention, not a declaration)\n    pass\n")
    write(tmp_path / "requests_app" / "apps.py", "# P21, P23, P25 are cited here\n")
    write(tmp_path / "tests" / "requests_app" / "test_x.py",
          "import pytest\n\n\ndef test_p21_p25_reply_due():\n    pass\n\n\n"
          "@pytest.mark.rule(\"P23\")\ndef test_figures():\n    pass\n\n\ndef helper_p23_():\n    pass\n")
    return tmp_path


def test_matrix_lists_the_functions_that_declare_a_rule_not_the_files_that_mention_it(project):
    traces = {t.rule: t for t in policy_matrix(project)}
    assert traces["P21"].code == ["requests_app.services.request_reply"]
    assert traces["P25"].code == ["requests_app.services.request_reply"]
    assert traces["P23"].code == ["requests_app.services.Report.figures"]
    assert traces["P21"].tests == ["tests/requests_app/test_x.py::test_p21_p25_reply_due"]
    assert traces["P25"].tests == ["tests/requests_app/test_x.py::test_p21_p25_reply_due"]
    assert traces["P23"].tests == ["tests/requests_app/test_x.py::test_figures"]
    assert not any(t.is_gap or t.is_unenforced for t in traces.values())


def test_rule_without_test_or_enforcing_function_is_shown_as_a_gap(project):
    write(project / "docs" / "policy_rules.md",
          "| rule | title |\n|---|---|\n| P21 | Disclosure |\n| P08 | Backups |\n")
    table = as_markdown(policy_matrix(project))
    assert "| P08 | Backups | **gap** | **gap** |" in table
    assert "| P21 | Disclosure | `requests_app.services.request_reply` |" in table
    assert "1 of 2 rules name their enforcing functions. Gaps: P08." in table
    assert "1 of 2 rules have tests. Gaps: P08." in table


def test_enforces_records_the_function_and_returns_it_unchanged():
    def reply_due():
        return "due"

    assert enforces("P21", "APPI-26")(reply_due) is reply_due
    assert ENFORCED_BY[f"{__name__}.{reply_due.__qualname__}"] == ("P21", "APPI-26")
    with pytest.raises(ValueError, match="not a rule ID"):
        enforces("21")
    with pytest.raises(ValueError, match="at least one"):
        enforces()


def test_strict_mode_passes_on_the_project_and_lists_every_rule(capsys):
    traces = policy_matrix(ROOT)
    assert len(traces) == 25  # P01-P26 without P13, as in RULES.md
    call_command("policy_matrix", "--strict")  # every rule is tested and names its functions
    out = capsys.readouterr().out
    assert "| P21 |" in out and "| APPI-26 |" in out
    assert "25 of 25 rules name their enforcing functions." in out


def test_strict_mode_fails_on_a_rule_no_function_declares(project, settings, capsys):
    settings.BASE_DIR = project
    write(project / "docs" / "policy_rules.md",
          "| rule | title |\n|---|---|\n| P23 | Audits |\n| P21 | Disclosure |\n")
    call_command("policy_matrix", "--strict")  # both declared and tested
    write(project / "requests_app" / "services.py", "def request_reply():  # P21, P23\n    pass\n")
    with pytest.raises(CommandError, match=r"2 rule\(s\) name no enforcing function \(@enforces\): P23, P21"):
        call_command("policy_matrix", "--strict")


def test_every_rule_names_enforcing_functions_that_exist_and_carry_the_decorator():
    """Each rule of RULES.md and each statutory duty names at least one function; each named
    `module.function` imports, is the function defined there (no wrapper), and carries
    `@enforces(<rule>)` on its own definition in the source."""
    traces = policy_matrix(ROOT) + policy_matrix(ROOT, statutory=True)
    assert [t.rule for t in traces if t.is_unenforced] == []
    for trace in traces:
        for name in trace.code:
            module_name, _, qualname = name.rpartition(".")
            while module_name:
                try:
                    module = importlib.import_module(module_name)
                    break
                except ModuleNotFoundError:  # a method: the class is part of the name
                    module_name, _, outer = module_name.rpartition(".")
                    qualname = f"{outer}.{qualname}"
            target = module
            for part in qualname.split("."):
                target = getattr(target, part)
            func = inspect.unwrap(target)
            assert callable(func) and func.__qualname__ == qualname, name
            assert trace.rule in ENFORCED_BY[f"{func.__module__}.{func.__qualname__}"], name
            definition = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
            assert trace.rule in declared_rules(definition), name
