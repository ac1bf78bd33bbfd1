"""P06 usage records and their daily roll-up; P10 the visitor log and its purge."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts_app import tasks
from accounts_app.models import UsageDaily, UsageRecord, VisitorLog
from accounts_app.services.data import usage_record, usage_rollup, visitor_logs_write
from ccucaas_privacy.celery import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db

FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def test_p06_views_record_the_feature_used_with_time_and_storage(client, alice):
    client.force_login(alice)
    client.get(reverse("accounts:contacts"))
    record = UsageRecord.objects.get(user=alice)
    assert record.feature == "contacts"
    assert record.occurred_at is not None
    assert record.storage_used_bytes == 0


def test_p06_daily_rollup_counts_per_day_and_feature_in_jst(alice, bob):
    # 2026-11-28 23:30 JST and 2026-11-29 00:30 JST fall on different JST days.
    for instant, user, feature in [
        (datetime(2026, 11, 28, 14, 30, tzinfo=UTC), alice, "contacts"),
        (datetime(2026, 11, 28, 15, 30, tzinfo=UTC), alice, "contacts"),
        (datetime(2026, 11, 28, 16, 0, tzinfo=UTC), alice, "contacts"),
        (datetime(2026, 11, 28, 16, 0, tzinfo=UTC), alice, "forum_post"),
        (datetime(2026, 11, 28, 17, 0, tzinfo=UTC), bob, "contacts"),
    ]:
        with time_machine.travel(instant, tick=False):
            usage_record(user=user, feature=feature, storage_used_bytes=100)
    assert usage_rollup(day=date(2026, 11, 29)) == 3
    assert usage_rollup(day=date(2026, 11, 29)) == 3  # idempotent
    counts = {(d.user.username, d.feature): d.count
              for d in UsageDaily.objects.filter(day=date(2026, 11, 29))}
    assert counts == {("alice", "contacts"): 2, ("alice", "forum_post"): 1, ("bob", "contacts"): 1}
    usage_rollup(day=date(2026, 11, 28))
    assert UsageDaily.objects.get(day=date(2026, 11, 28)).count == 1


def test_p06_rollup_task_runs_on_beat_and_covers_yesterday_and_today(alice):
    assert BEAT_SCHEDULE["accounts-usage-rollup"]["task"] == "accounts_app.tasks.usage_rollup_recent"
    with time_machine.travel(datetime(2026, 11, 28, 16, 0, tzinfo=UTC), tick=False):
        usage_record(user=alice, feature="contacts")
    with time_machine.travel(datetime(2026, 11, 29, 3, 0, tzinfo=UTC), tick=False):
        tasks.usage_rollup_recent.delay()
    assert UsageDaily.objects.get(user=alice).day == date(2026, 11, 29)


def test_p10_visitor_log_records_request_details_linked_to_the_user(client, alice):
    client.force_login(alice)
    client.cookies["ccucaas_tz"] = "Asia/Tokyo"
    client.get(reverse("accounts:settings"), HTTP_USER_AGENT=FIREFOX_ON_LINUX,
               HTTP_ACCEPT_LANGUAGE="ja,en-US;q=0.7", HTTP_REFERER="https://search.example/?q=x")
    entry = VisitorLog.objects.get(path="/account/")
    assert entry.user == alice
    assert entry.ip == "127.0.0.1"
    assert entry.browser == "Firefox 121"
    assert entry.os == "Linux"
    assert entry.language == "ja,en-US;q=0.7"
    assert entry.referrer == "https://search.example/?q=x"
    assert entry.status_code == 200
    assert entry.method == "GET"
    assert entry.time_zone == "Asia/Tokyo"


def test_p10_errors_and_anonymous_visits_are_logged_too(client):
    client.get("/no-such-page/")
    entry = VisitorLog.objects.get(path="/no-such-page/")
    assert entry.status_code == 404
    assert entry.user is None


def test_p10_huge_or_garbage_headers_are_truncated_never_a_500(client):
    response = client.get(reverse("home"), HTTP_USER_AGENT="\x00\x7f" + "A" * 100_000,
                          HTTP_ACCEPT_LANGUAGE="ü" * 5000, HTTP_REFERER="\n" + "r" * 10_000,
                          REMOTE_ADDR="not-an-ip")
    assert response.status_code == 200
    client.cookies["ccucaas_tz"] = "<script>alert(1)</script>"
    client.get(reverse("home"))
    first, second = VisitorLog.objects.order_by("id")
    assert len(first.user_agent) == 512 and "\x00" not in first.user_agent
    assert len(first.language) == 64
    assert len(first.referrer) == 500 and "\n" not in first.referrer
    assert first.ip is None
    assert second.time_zone == ""


def test_p10_one_insert_per_request_written_when_the_response_closes(client, alice):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    inserts = [q["sql"] for q in queries.captured_queries if "accounts_app_visitorlog" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")


def test_p10_the_row_is_written_before_the_response_leaves_so_nothing_runs_after_it(db):
    """The row is in the table when the handler hands the response to the server; closing the
    response writes nothing more (an after-response write raced with what followed it)."""
    import io
    import sys

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
               "wsgi.url_scheme": "http", "REMOTE_ADDR": "198.51.100.7"}
    # As Django's test client does: keep the test's database connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, lambda status, headers, exc_info=None: None)
        assert VisitorLog.objects.count() == 1
        b"".join(body)
        body.close()
        assert VisitorLog.objects.count() == 1
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert VisitorLog.objects.get().ip == "198.51.100.7"


def test_p10_entries_older_than_the_retention_are_purged_by_the_beat_task(alice, settings):
    settings.VISITOR_LOG_RETENTION_DAYS = 90
    now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    base = {"method": "GET", "path": "/", "status_code": 200}
    visitor_logs_write(entries=[
        {**base, "occurred_at": now - timedelta(days=91), "user_id": alice.pk},
        {**base, "occurred_at": now - timedelta(days=89), "user_id": alice.pk},
    ])
    assert BEAT_SCHEDULE["accounts-visitor-logs-purge"]["task"] == "accounts_app.tasks.visitor_logs_purge"
    with time_machine.travel(now, tick=False):
        assert tasks.visitor_logs_purge.delay().get() == 1
        assert tasks.visitor_logs_purge.delay().get() == 0
    assert VisitorLog.objects.get().occurred_at == now - timedelta(days=89)
