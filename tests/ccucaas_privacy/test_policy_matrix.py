"""DESIGN section 11: every rule -> code -> tests; a rule without a test is a gap."""

import pytest
from django.core.management import CommandError, call_command

from ccucaas_privacy.policy_matrix import as_markdown, policy_matrix
from tests.conftest import ROOT


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "docs" / "policy_rules.md",
          "| rule | title |\n|---|---|\n| P21 | Disclosure |\n| P23 | Audits |\n| P25 | Policy changes |\n")
    write(tmp_path / "requests_app" / "services.py", "def reply():  # P21: 30 days\n    pass\n")
    write(tmp_path / "tests" / "requests_app" / "test_x.py",
          "import pytest\n\n\ndef test_p21_p25_reply_due():\n    pass\n\n\n"
          "@pytest.mark.rule(\"P23\")\ndef test_figures():\n    pass\n\n\ndef helper_p23_():\n    pass\n")
    return tmp_path


def test_matrix_links_rules_to_code_and_tests_by_name_and_marker(project):
    traces = {t.rule: t for t in policy_matrix(project)}
    assert traces["P21"].code == ["requests_app/services.py:1"]
    assert traces["P21"].tests == ["tests/requests_app/test_x.py::test_p21_p25_reply_due"]
    assert traces["P25"].tests == ["tests/requests_app/test_x.py::test_p21_p25_reply_due"]
    assert traces["P23"].tests == ["tests/requests_app/test_x.py::test_figures"]
    assert not any(t.is_gap for t in traces.values())


def test_rule_without_test_is_shown_as_a_gap(project):
    write(project / "docs" / "policy_rules.md",
          "| rule | title |\n|---|---|\n| P21 | Disclosure |\n| P08 | Backups |\n")
    table = as_markdown(policy_matrix(project))
    assert "| P08 | Backups | **gap** | **gap** |" in table
    assert "Gaps: P08." in table


def test_strict_mode_fails_on_gaps_and_lists_every_rule_of_the_project(capsys):
    traces = policy_matrix(ROOT)
    assert len(traces) == 25  # P01-P26 without P13, as in RULES.md
    gaps = [t.rule for t in traces if t.is_gap]
    if gaps:
        with pytest.raises(CommandError, match="have no test"):
            call_command("policy_matrix", "--strict")
    else:
        call_command("policy_matrix", "--strict")
    assert "| P21 |" in capsys.readouterr().out
