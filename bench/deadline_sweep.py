"""Deadline sweep at scale (issue 7): the pass touches only the due rows.

Two tables in the same run: 10,000 and 1,000,000 requests (tiny: 2,000 and 20,000), 1% of each
due for a reminder. Figure = sweep time per due request at the large size; baseline = the same
at the small size; the ratio stays under 2 when the due-query uses the partial index on
`next_check_at` (its EXPLAIN plan is recorded in the result).
"""

import io
import json
import uuid
from datetime import timedelta

from bench import harness

SIZES = {"tiny": (2_000, 20_000), "full": (10_000, 1_000_000)}
DUE_FRACTION = 0.01
CHUNK = 100_000


def _officer():
    from accounts_app.models import User
    from accounts_app.services.accounts import user_create

    officer = User.objects.filter(username="bench-officer").first()
    return officer or user_create(username="bench-officer", email="bench-officer@ccucaas.example",
                                  password=None, is_superuser=True)


def _columns():
    from requests_app.models import DataSubjectRequest

    return [f for f in DataSubjectRequest._meta.concrete_fields]


def _row_values(fields, explicit: dict) -> list:
    values = []
    for field in fields:
        if field.attname in explicit:
            value = explicit[field.attname]
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = ""
        if field.get_internal_type() == "JSONField":
            value = json.dumps(value)
        values.append("\\N" if value is None else _copy_escape(str(value)))
    return values


def _copy_escape(text: str) -> str:
    """PostgreSQL COPY text format: backslash, tab and newlines are escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _populate(total: int, *, now) -> int:
    """Bulk-load `total` requests with COPY; 1% due for their 7-day reminder now."""
    from django.db import connection

    from ccucaas_privacy import clock

    fields = _columns()
    due_every = int(1 / DUE_FRACTION)
    received_due = now - timedelta(days=25)  # 7-day reminder already due, 3-day not yet
    received_later = now - timedelta(days=2)
    reply_due = {r: clock.reply_due_at(r) for r in (received_due, received_later)}
    table = "requests_app_datasubjectrequest"
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}, requests_app_requestevent, requests_app_deadlinealert CASCADE")
        due_count = 0
        for start in range(0, total, CHUNK):
            buffer = io.StringIO()
            for n in range(start, min(total, start + CHUNK)):
                due = n % due_every == 0
                received = received_due if due else received_later
                due_count += due
                buffer.write("\t".join(_row_values(fields, {
                    "id": str(uuid.uuid4()), "reference": f"BEN-{n:09d}", "type": "disclosure",
                    "channel": "web_form", "subject_id": None, "subject_name": "bench",
                    "subject_email": f"bench{n}@example.jp", "details": {"note": "bench"},
                    "language": "ja", "status": "received", "created_at": received.isoformat(),
                    "received_at": received.isoformat(),
                    "identity_verified_at": received.isoformat(),
                    "reply_due_at": reply_due[received].isoformat(),
                    "next_check_at": (reply_due[received] - timedelta(days=7)).isoformat(),
                })) + "\n")
            buffer.seek(0)
            columns = ", ".join(f'"{f.column}"' for f in fields)
            cursor.cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT text)", buffer)
        cursor.execute(f"ANALYZE {table}")
    return due_count


def _reset_due(*, now) -> None:
    """Undo a pass so the next repeat handles the same due rows again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE requests_app_deadlinealert")
        cursor.execute("DELETE FROM notifications_app_outboundemail WHERE cause LIKE 'deadline:%%'")
        cursor.execute(
            "UPDATE requests_app_datasubjectrequest SET next_check_at = reply_due_at - interval '7 days' "
            "WHERE reference LIKE 'BEN-%%' AND received_at < %s", [now - timedelta(days=20)])


def _explain(now) -> str:
    from django.db import connection

    from requests_app.services.sweep import due_requests_query

    sql, params = due_requests_query(now=now).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _measure(total: int, *, now) -> tuple[float, int, str]:
    import time_machine

    from notifications_app.services.dispatch import broker_purge
    from requests_app.services.sweep import deadline_sweep

    due = _populate(total, now=now)
    plan = _explain(now)

    def one_pass() -> None:
        with time_machine.travel(now, tick=True):
            report = deadline_sweep(now=now)
        assert report.claimed == due, (report.claimed, due)

    seconds = harness.median_seconds(one_pass, setup=lambda: _reset_due(now=now))
    broker_purge()
    return seconds, due, plan


def run(size: str) -> dict:
    from ccucaas_privacy import clock

    small, large = SIZES[size]
    _officer()
    now = clock.now()
    small_s, small_due, _ = _measure(small, now=now)
    large_s, large_due, plan = _measure(large, now=now)
    per_due_small = small_s / small_due * 1000
    per_due_large = large_s / large_due * 1000
    uses_index = "dsr_next_check_partial" in plan
    ratio = per_due_large / per_due_small
    return harness.result(
        name="deadline_sweep", figure=per_due_large, baseline=per_due_small,
        unit="ms/due request", target="ratio < 2 and partial index used",
        passed=ratio < 2 and uses_index,
        small_total=small, small_due=small_due, small_pass_s=round(small_s, 3),
        large_total=large, large_due=large_due, large_pass_s=round(large_s, 3),
        partial_index_used=uses_index, explain=plan,
    )
