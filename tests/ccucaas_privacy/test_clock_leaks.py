"""APPI-26 deadlines of a leak report (issue 22), counted as RULES.md counts the 30-day reply:
the day learned of is not counted; a period ends at the end of its last JST day."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ccucaas_privacy import clock

JST = ZoneInfo("Asia/Tokyo")

pytestmark = pytest.mark.rule("APPI-26")


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


# known_at, preliminary (3 days), final (30 days), final when malicious (60 days)
CASES = [
    # the RULES.md example day: the final report falls on the 30-day reply deadline
    (jst(2026, 11, 29, 10, 0), jst(2026, 12, 3), jst(2026, 12, 30), jst(2027, 1, 29)),
    # last second of a JST day: still that day
    (jst(2026, 11, 29, 23, 59, 59), jst(2026, 12, 3), jst(2026, 12, 30), jst(2027, 1, 29)),
    # first second of the next JST day (2026-11-29 15:00 UTC: the UTC date is the 29th)
    (jst(2026, 11, 30, 0, 0, 0), jst(2026, 12, 4), jst(2026, 12, 31), jst(2027, 1, 30)),
    # month end in a common year: February has 28 days
    (jst(2027, 1, 31, 12, 0), jst(2027, 2, 4), jst(2027, 3, 3), jst(2027, 4, 2)),
    # year end
    (jst(2026, 12, 30, 9, 0), jst(2027, 1, 3), jst(2027, 1, 30), jst(2027, 3, 1)),
    (jst(2026, 12, 31, 23, 0), jst(2027, 1, 4), jst(2027, 1, 31), jst(2027, 3, 2)),
    # leap year: 2028-02-29 is a day of the period ...
    (jst(2028, 2, 27, 8, 0), jst(2028, 3, 2), jst(2028, 3, 29), jst(2028, 4, 28)),
    # ... and the day learned of
    (jst(2028, 2, 29, 12, 0), jst(2028, 3, 4), jst(2028, 3, 31), jst(2028, 4, 30)),
]


@pytest.mark.parametrize(("known_at", "preliminary", "final", "final_malicious"), CASES,
                         ids=[c[0].isoformat() for c in CASES])
def test_appi26_leak_report_deadlines_end_at_the_end_of_the_last_jst_day(
        known_at, preliminary, final, final_malicious):
    assert clock.leak_preliminary_due_at(known_at) == preliminary
    assert clock.leak_final_due_at(known_at, malicious=False) == final
    assert clock.leak_final_due_at(known_at, malicious=True) == final_malicious


def test_appi26_deadlines_are_utc_and_do_not_depend_on_the_input_zone():
    known_jst = jst(2026, 11, 30, 0, 0)
    known_utc = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    assert clock.leak_preliminary_due_at(known_utc) == clock.leak_preliminary_due_at(known_jst)
    due = clock.leak_final_due_at(known_utc, malicious=False)
    assert due.tzinfo == UTC
    assert due == datetime(2026, 12, 30, 15, 0, tzinfo=UTC)  # 2026-12-31 00:00 JST


def test_appi26_preliminary_period_follows_the_setting(settings):
    settings.LEAK_PRELIMINARY_REPORT_DAYS = 5
    assert clock.leak_preliminary_due_at(jst(2026, 11, 29, 10, 0)) == jst(2026, 12, 5)
    settings.LEAK_PRELIMINARY_REPORT_DAYS = 0
    with pytest.raises(ValueError, match="at least 1"):
        clock.leak_preliminary_due_at(jst(2026, 11, 29, 10, 0))


def test_appi26_naive_known_at_is_refused():
    with pytest.raises(clock.NaiveDatetimeError):
        clock.leak_preliminary_due_at(datetime(2026, 11, 29, 10, 0))  # noqa: DTZ001
    with pytest.raises(clock.NaiveDatetimeError):
        clock.leak_final_due_at(datetime(2026, 11, 29, 10, 0), malicious=True)  # noqa: DTZ001
