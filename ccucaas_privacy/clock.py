"""The one place for deadline arithmetic (RULES.md, "How deadlines are counted").

Every instant is stored in UTC; calendar days are taken in Asia/Tokyo (JST, no DST).
Inputs must be aware datetimes; outputs are aware datetimes in UTC.
"""

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from ccucaas_privacy.rules import enforces

JST = ZoneInfo("Asia/Tokyo")

# P21/P26: "within 30 days", the day of receipt not counted (民法 Art. 140).
REPLY_PERIOD_DAYS = 30
# P21: the change takes effect within 48 hours of the first reply (exact hours).
EFFECTIVE_PERIOD = timedelta(hours=48)
# P25: important policy changes are emailed 30 x 24 hours before they take effect.
POLICY_NOTICE_PERIOD = timedelta(days=30)


class NaiveDatetimeError(ValueError):
    """A naive datetime reached deadline arithmetic; its time zone is unknown."""


def now() -> datetime:
    """The current instant in UTC. Freeze it in tests with time_machine."""
    return timezone.now().astimezone(UTC)


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{name} is a naive datetime ({value.isoformat()}); pass an aware datetime "
            "(UTC or Asia/Tokyo) so the deadline is counted in the right time zone."
        )
    return value


def to_jst(value: datetime) -> datetime:
    return _require_aware(value, "value").astimezone(JST)


def jst_date(value: datetime) -> date:
    """The JST calendar day on which an instant falls."""
    return to_jst(value).date()


def start_of_jst_day(day: date) -> datetime:
    """00:00 JST of `day`, as UTC."""
    return datetime.combine(day, time.min, tzinfo=JST).astimezone(UTC)


@enforces("P21")
def reply_due_at(received_at: datetime) -> datetime:
    """P21: first reply due before 00:00 JST of the 31st day after the day of receipt.

    Received 2026-11-29 10:00 JST -> due 2026-12-30 00:00 JST (2026-12-29 15:00 UTC).
    """
    _require_aware(received_at, "received_at")
    return start_of_jst_day(jst_date(received_at) + timedelta(days=REPLY_PERIOD_DAYS + 1))


@enforces("P26")
def inquiry_due_at(identity_verified_at: datetime) -> datetime:
    """P26: complaints and inquiries are counted from identity verification, not receipt."""
    _require_aware(identity_verified_at, "identity_verified_at")
    return reply_due_at(identity_verified_at)


@enforces("P21")
def effective_due_at(replied_at: datetime) -> datetime:
    """P21: the requested change is in effect everywhere 48 hours after the first reply."""
    return _require_aware(replied_at, "replied_at").astimezone(UTC) + EFFECTIVE_PERIOD


def days_left(due_at: datetime, *, now: datetime) -> int:
    """Whole JST calendar days left before a deadline, as a person counts them (issue 19).

    The last day of the period is the JST day before `due_at` (deadlines end at 00:00 JST), so
    on the day a 30-day request is received this is 30, on the last day 0, and once the
    deadline has passed it is negative (-1 on the first day late).
    """
    _require_aware(due_at, "due_at")
    last_day = jst_date(due_at - timedelta(microseconds=1))
    return (last_day - jst_date(_require_aware(now, "now"))).days


def hours_left(due_at: datetime, *, now: datetime) -> int:
    """Whole hours left before an exact-hours deadline (P21's 48 hours), rounded up; 0 or
    negative once it has passed."""
    seconds = (_require_aware(due_at, "due_at") - _require_aware(now, "now")).total_seconds()
    return math.ceil(seconds / 3600) if seconds > 0 else math.floor(seconds / 3600)


@enforces("P25")
def latest_notice_at(effective_at: datetime) -> datetime:
    """P25: the last instant an important policy change may be emailed."""
    return _require_aware(effective_at, "effective_at").astimezone(UTC) - POLICY_NOTICE_PERIOD


@enforces("P25")
def notice_warning_at(effective_at: datetime, *, hours_before_line: float) -> datetime:
    """P25: when to warn that notices are still unsent, `hours_before_line` before the last
    instant they may go out (31 days before effect = the 30-day line minus 24 hours)."""
    return latest_notice_at(effective_at) - timedelta(hours=hours_before_line)


# APPI-26 (APPI Art. 26, PPC rules Art. 8): a reportable leak is reported to the Personal
# Information Protection Commission twice, counted like the 30-day reply (the day learned of
# not counted, the period ends at the end of the last JST day). The preliminary report (速報) is
# due "promptly": settings.LEAK_PRELIMINARY_REPORT_DAYS days (3 by default); the final report
# (確報) within 30 days, or 60 when the leak may have been done with unlawful intent.
LEAK_PRELIMINARY_REPORT_DAYS = 3
LEAK_FINAL_REPORT_DAYS = 30
LEAK_FINAL_REPORT_DAYS_MALICIOUS = 60


def end_of_nth_jst_day_after(instant: datetime, days: int) -> datetime:
    """The end of the `days`-th JST day after the day of `instant` (= 00:00 JST of the next
    day, as UTC): the day of `instant` itself is not counted."""
    _require_aware(instant, "instant")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}.")
    return start_of_jst_day(jst_date(instant) + timedelta(days=days + 1))


@enforces("APPI-26")
def leak_preliminary_due_at(known_at: datetime) -> datetime:
    """APPI-26: the preliminary report (速報) is due by the end of the
    LEAK_PRELIMINARY_REPORT_DAYS-th JST day after the day the leak was learned of.

    Learned of 2026-11-29 23:59 JST -> due before 2026-12-03 00:00 JST (3 days)."""
    from django.conf import settings

    days = getattr(settings, "LEAK_PRELIMINARY_REPORT_DAYS", LEAK_PRELIMINARY_REPORT_DAYS)
    return end_of_nth_jst_day_after(_require_aware(known_at, "known_at"), days)


@enforces("APPI-26")
def leak_final_due_at(known_at: datetime, *, malicious: bool) -> datetime:
    """APPI-26: the final report (確報) is due by the end of the 30th JST day after the day the
    leak was learned of, the 60th when it may have been done with unlawful intent."""
    days = LEAK_FINAL_REPORT_DAYS_MALICIOUS if malicious else LEAK_FINAL_REPORT_DAYS
    return end_of_nth_jst_day_after(_require_aware(known_at, "known_at"), days)
