"""Retention (APPI Art. 22; issue 21): every data source declares how long it keeps data, the
retention sweep erases or anonymises what has outlived it in batches (resumable, safe to run
twice at once, counted per category in a run record shown in the admin), and the public page
and the disclosure package list the retention of each category."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from accounts_app.models import AccountSession, UsageRecord, VisitorLog
from accounts_app.services.data import visitor_logs_write
from ccucaas_privacy.celery import BEAT_SCHEDULE
from ccucaas_privacy.datasources import all_sources, retention_label, retention_rows
from ccucaas_privacy.models import RetentionRun
from ccucaas_privacy.retention import retention_sweep
from notifications_app.models import OutboundEmail
from tests.conftest import run_at_once

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
pytestmark = pytest.mark.rule("APPI-22")


def visits(user, *, days_ago: float, count: int) -> None:
    base = {"method": "GET", "path": "/", "status_code": 200, "user_id": user.pk if user else None}
    visitor_logs_write(entries=[{**base, "occurred_at": NOW - timedelta(days=days_ago)}
                                for _ in range(count)])


def sweep(**kwargs) -> RetentionRun:
    with time_machine.travel(NOW, tick=False):
        return retention_sweep(**kwargs)


def test_appi22_every_registered_source_declares_its_retention():
    for source in all_sources():
        assert source.retention is not None, source.category
        assert source.retention.action in ("erase", "anonymise"), source.category
        with translation.override("ja"):
            assert retention_label(source), source.category


def test_appi22_the_periods_the_law_and_the_policy_name():
    periods = {s.category: s.retention.days() for s in all_sources()}
    assert periods["visitor_logs"] == 90  # P10
    assert periods["provisions"] == 3 * 365  # 施行規則 第21条 (records made per provision)
    assert {"usage_records", "sessions", "outbound_emails", "request_history"} <= {
        c for c, days in periods.items() if days}


@pytest.mark.django_db
def test_appi22_sweep_erases_only_what_outlived_its_period_in_batches_and_counts_it(alice):
    visits(alice, days_ago=91, count=7)
    visits(None, days_ago=200, count=3)
    visits(alice, days_ago=89, count=2)
    run = sweep(batch_size=4)
    assert VisitorLog.objects.count() == 2
    assert run.counts["visitor_logs"] == {"erased": 10, "anonymised": 0}
    assert run.batches == 3  # 4 + 4 + 2
    assert run.finished_at is not None and run.failures == []
    assert RetentionRun.objects.get(pk=run.pk).counts["visitor_logs"]["erased"] == 10


@pytest.mark.django_db
def test_appi22_a_pass_stopped_half_way_is_finished_by_the_next_one(alice):
    visits(alice, days_ago=100, count=9)
    first = sweep(batch_size=4, max_batches=1, categories=["visitor_logs"])
    assert first.counts["visitor_logs"]["erased"] == 4
    assert VisitorLog.objects.count() == 5
    second = sweep(batch_size=4, categories=["visitor_logs"])
    assert second.counts["visitor_logs"]["erased"] == 5
    assert VisitorLog.objects.count() == 0
    assert sweep(categories=["visitor_logs"]).counts["visitor_logs"]["erased"] == 0


@pytest.mark.django_db
def test_appi22_the_period_is_a_setting(alice, settings):
    visits(alice, days_ago=40, count=1)
    sweep()
    assert VisitorLog.objects.count() == 1
    settings.VISITOR_LOG_RETENTION_DAYS = 30
    sweep()
    assert VisitorLog.objects.count() == 0
    settings.RETENTION = {**settings.RETENTION, "usage_records": 10}
    UsageRecord.objects.create(user=alice, feature="upload", occurred_at=NOW - timedelta(days=11))
    UsageRecord.objects.create(user=alice, feature="upload", occurred_at=NOW - timedelta(days=9))
    assert sweep().counts["usage_records"]["erased"] == 1


@pytest.mark.django_db
def test_appi22_sent_emails_are_anonymised_after_a_year_and_queued_ones_never(alice):
    from notifications_app.services.outbox import notification_queue

    old = notification_queue(kind="request_received", cause="old", user=alice, context={"x": 1})
    queued = notification_queue(kind="request_received", cause="queued", user=alice, context={})
    recent = notification_queue(kind="request_received", cause="recent", user=alice, context={})
    OutboundEmail.objects.filter(pk=old.pk).update(status="sent", created_at=NOW - timedelta(days=400))
    OutboundEmail.objects.filter(pk=queued.pk).update(created_at=NOW - timedelta(days=400))
    OutboundEmail.objects.filter(pk=recent.pk).update(status="sent", created_at=NOW - timedelta(days=10))
    run = sweep(categories=["outbound_emails"])
    assert run.counts["outbound_emails"] == {"erased": 0, "anonymised": 1}
    old.refresh_from_db()
    assert (old.recipient_email, old.context, old.user_id) == ("erased@erased.invalid", {}, None)
    assert old.kind == "request_received" and old.status == "sent"  # the bare facts stay
    assert OutboundEmail.objects.get(pk=queued.pk).recipient_email == alice.email
    assert OutboundEmail.objects.get(pk=recent.pk).recipient_email == alice.email
    assert sweep(categories=["outbound_emails"]).counts["outbound_emails"]["anonymised"] == 0


@pytest.mark.django_db
def test_appi22_closed_requests_are_pseudonymised_three_years_after_closing(alice, officer):
    from requests_app.models import DataSubjectRequest
    from requests_app.services.transitions import request_reply
    from tests.requests_app.conftest import file_portal, file_web_form

    closed = file_portal(alice, "inquiry", now=NOW - timedelta(days=1200))
    request_reply(request=closed, actor=officer, text="回答します 山田様", now=NOW - timedelta(days=1190))
    guest, _sent = file_web_form(email="guest@example.org", type="inquiry",
                                 now=NOW - timedelta(days=1200))
    open_request = file_portal(alice, "disclosure", now=NOW - timedelta(days=1200))
    run = sweep(categories=["request_history"])
    assert run.counts["request_history"]["anonymised"] == 1
    closed.refresh_from_db()
    assert (closed.subject_id, closed.subject_email, closed.reply_text) == (None, "", "")
    assert closed.details == {"erased": True}
    assert closed.status == "completed" and closed.replied_at is not None  # evidence stays
    assert DataSubjectRequest.objects.get(pk=guest.pk).subject_email == "guest@example.org"
    assert DataSubjectRequest.objects.get(pk=open_request.pk).subject_id == alice.pk


@pytest.mark.django_db
def test_appi22_provision_records_are_kept_three_years_then_erased(alice):
    from consent_app.models import ProvisionRecord
    from consent_app.services import provision_record

    for days in (3 * 365 + 1, 3 * 365 - 1):
        with time_machine.travel(NOW, tick=False):
            provision_record(user=alice, recipient="裁判所", recipient_type="judicial_authority",
                             purpose="文書提出命令", legal_basis="legal_requirement",
                             data_categories=["profile"], provided_at=NOW - timedelta(days=days))
    run = sweep(categories=["provisions"])
    assert run.counts["provisions"]["erased"] == 1
    (kept,) = ProvisionRecord.objects.all()
    assert kept.provided_at == NOW - timedelta(days=3 * 365 - 1)


@pytest.mark.django_db
def test_appi22_ended_sessions_are_erased_after_their_period(alice):
    AccountSession.objects.create(session_key="a" * 32, session_data="", user=alice,
                                  expire_date=NOW - timedelta(days=31))
    AccountSession.objects.create(session_key="b" * 32, session_data="", user=alice,
                                  expire_date=NOW - timedelta(days=29))
    assert sweep(categories=["sessions"]).counts["sessions"]["erased"] == 1
    assert list(AccountSession.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_appi22_beat_runs_the_retention_sweep_every_hour():
    entry = BEAT_SCHEDULE["retention-sweep"]
    assert entry["task"] == "ccucaas_privacy.tasks.retention_sweep"
    assert entry["schedule"] == timedelta(hours=1)


@pytest.mark.django_db
def test_appi22_the_beat_task_runs_one_pass(alice):
    from ccucaas_privacy import tasks

    visits(alice, days_ago=120, count=3)
    with time_machine.travel(NOW, tick=False):
        result = tasks.retention_sweep.delay().get()
    assert result["counts"]["visitor_logs"]["erased"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "title", "period"), [
    ("", "アクセスログ", "90日"), ("/en", "Visitor logs", "90 days")])
def test_appi22_the_public_page_lists_each_category_with_labels_not_codes(client, prefix, title,
                                                                          period):
    page = client.get(f"{prefix}/retention/").content.decode()
    assert title in page and period in page
    assert "visitor_logs" not in page and "VISITOR_LOG" not in page
    with translation.override(prefix.strip("/") or "ja"):
        for row in retention_rows():
            assert row["title"] in page


@pytest.mark.django_db
def test_appi22_the_disclosure_package_lists_the_retention_of_each_category(alice, officer):
    import io
    import zipfile

    from requests_app.services.packages import package_write
    from tests.requests_app.conftest import file_portal

    request = file_portal(alice, "disclosure", now=NOW)
    out = io.BytesIO()
    package_write(request=request, user=alice, out=out, now=NOW)
    index = zipfile.ZipFile(out).read("index.html").decode()
    assert "保存期間" in index
    assert "アクセス後90日で消去します。" in index or "90日" in index
    with translation.override("ja"):
        for source in all_sources():
            assert retention_label(source) in index


@pytest.mark.django_db
def test_appi22_the_admin_shows_each_run_with_its_counts(client, make_user, staff_sign_in, alice):
    from django.contrib.auth.models import Group

    visits(alice, days_ago=120, count=2)
    run = sweep()
    officer = make_user("po", email="po@ccucaas.example", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    staff_sign_in(client, officer)
    listing = client.get("/admin/ccucaas_privacy/retentionrun/")
    assert listing.status_code == 200
    detail = client.get(f"/admin/ccucaas_privacy/retentionrun/{run.pk}/change/").content.decode()
    assert "アクセスログ: 2 件消去" in detail or "Visitor logs: 2 erased" in detail


@pytest.mark.services
def test_appi22_two_concurrent_sweeps_erase_each_row_once(transactional_db, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking with skip_locked needs PostgreSQL (DATABASE_URL)")
    user = make_user("carol")
    visits(user, days_ago=100, count=500)
    runs: list[RetentionRun] = []
    with time_machine.travel(NOW, tick=True):
        errors = run_at_once(lambda: runs.append(retention_sweep(
            categories=["visitor_logs"], batch_size=20)), threads=2)
    assert errors == []
    assert VisitorLog.objects.count() == 0
    assert sum(r.counts["visitor_logs"]["erased"] for r in runs) == 500
