"""RULES.md "How deadlines are counted": P21 (30 days), P26 (from verification), P21 (48 h), P25."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from ccucaas_privacy import clock

JST = ZoneInfo("Asia/Tokyo")


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


def test_p21_reply_due_30_days_after_receipt_example_from_rules():
    due = clock.reply_due_at(jst(2026, 11, 29, 10, 0))
    assert due == jst(2026, 12, 30, 0, 0)
    assert due.tzinfo == UTC
    assert due == datetime(2026, 12, 29, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # month end: 31 days after Jan 31 is Mar 3 in a common year
        (jst(2027, 1, 31, 12, 0), jst(2027, 3, 3, 0, 0)),
        # year end
        (jst(2026, 12, 31, 9, 0), jst(2027, 1, 31, 0, 0)),
        (jst(2026, 12, 1, 9, 0), jst(2027, 1, 1, 0, 0)),
        # leap day 2028-02-29 counted as a day
        (jst(2028, 1, 30, 8, 0), jst(2028, 3, 1, 0, 0)),
        (jst(2028, 2, 29, 8, 0), jst(2028, 3, 31, 0, 0)),
        (jst(2028, 2, 28, 8, 0), jst(2028, 3, 30, 0, 0)),
        # last and first second of a JST day
        (jst(2026, 11, 29, 23, 59, 59), jst(2026, 12, 30, 0, 0)),
        (jst(2026, 11, 29, 0, 0, 0), jst(2026, 12, 30, 0, 0)),
        (jst(2026, 11, 30, 0, 0, 0), jst(2026, 12, 31, 0, 0)),
    ],
)
def test_p21_reply_due_at_end_of_30th_jst_day_after_receipt(received, due):
    assert clock.reply_due_at(received) == due


def test_p21_receipt_counted_on_the_jst_day_not_the_utc_day():
    # 2026-11-29 16:00 UTC is already 2026-11-30 01:00 JST.
    received_utc = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    assert clock.reply_due_at(received_utc) == jst(2026, 12, 31, 0, 0)
    # The same instant given in JST gives the same deadline.
    assert clock.reply_due_at(received_utc.astimezone(JST)) == clock.reply_due_at(received_utc)
    # 2026-11-29 14:59:59 UTC is still 2026-11-29 in Tokyo.
    assert clock.reply_due_at(datetime(2026, 11, 29, 14, 59, 59, tzinfo=UTC)) == jst(2026, 12, 30)


def test_p26_inquiry_due_counts_from_identity_verification():
    verified = jst(2026, 12, 5, 18, 30)
    assert clock.inquiry_due_at(verified) == jst(2027, 1, 5, 0, 0)


def test_p21_change_effective_exactly_48_hours_after_reply():
    replied = jst(2026, 12, 1, 15, 0)
    assert clock.effective_due_at(replied) == jst(2026, 12, 3, 15, 0)
    assert clock.effective_due_at(replied).tzinfo == UTC


def test_p25_latest_notice_is_30_times_24_hours_before_effect():
    effective = jst(2027, 4, 1, 0, 0)
    assert clock.latest_notice_at(effective) == jst(2027, 3, 2, 0, 0)
    assert clock.latest_notice_at(effective).tzinfo == UTC


@pytest.mark.parametrize(
    "function",
    [clock.reply_due_at, clock.inquiry_due_at, clock.effective_due_at, clock.latest_notice_at],
)
def test_naive_datetime_is_rejected_with_a_clear_error(function):
    with pytest.raises(clock.NaiveDatetimeError, match="naive datetime"):
        function(datetime(2026, 11, 29, 10, 0))  # noqa: DTZ001 - the point of the test


def test_non_datetime_is_rejected():
    with pytest.raises(TypeError, match="must be a datetime"):
        clock.reply_due_at("2026-11-29")


def test_now_is_utc_and_can_be_frozen():
    with time_machine.travel(jst(2026, 11, 29, 10, 0), tick=False):
        assert clock.now() == jst(2026, 11, 29, 10, 0)
        assert clock.now().tzinfo == UTC


instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, JST, ZoneInfo("America/New_York")]),
)


@given(instants)
def test_p21_reply_due_is_after_receipt_within_31_days_at_jst_midnight(received):
    due = clock.reply_due_at(received)
    assert due > received
    assert timedelta(days=30) < due - received <= timedelta(days=31)
    local = due.astimezone(JST)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert (local.date() - received.astimezone(JST).date()).days == 31


@given(instants)
def test_p21_effective_due_is_exactly_48_hours_later(replied):
    assert clock.effective_due_at(replied) - replied == timedelta(hours=48)


def test_p25_notice_warning_comes_the_given_hours_before_the_30_day_line():
    effective = jst(2027, 4, 1, 0, 0)
    assert clock.notice_warning_at(effective, hours_before_line=24) == jst(2027, 3, 1, 0, 0)
    assert clock.notice_warning_at(effective, hours_before_line=0) == clock.latest_notice_at(effective)
