"""The policy matrix traces the statutory duty APPI-26 (issue 22) beside the policy's rules."""

import pytest

from ccucaas_privacy.policy_matrix import policy_matrix
from tests.conftest import ROOT


@pytest.mark.rule("APPI-26")
def test_appi26_matrix_has_the_duty_with_its_code_and_tests_and_keeps_the_policy_rules_apart():
    statutory = {row.rule: row for row in policy_matrix(ROOT, statutory=True)}
    # issue 21 added APPI-22, -32, -33, -35 and -37 beside it
    assert {"APPI-22", "APPI-26", "APPI-32", "APPI-33", "APPI-35", "APPI-37"} <= set(statutory)
    duty = statutory["APPI-26"]
    # issue 18: the functions that declare @enforces("APPI-26"), not files that mention it
    assert any(ref.startswith("incidents_app.services.") for ref in duty.code)
    assert {"ccucaas_privacy.clock.leak_preliminary_due_at",
            "ccucaas_privacy.clock.leak_final_due_at"} <= set(duty.code)
    assert any("test_clock_leaks.py::" in ref for ref in duty.tests)
    assert not duty.is_gap and not duty.is_unenforced
    assert "APPI-26" not in {t.rule for t in policy_matrix(ROOT)}
