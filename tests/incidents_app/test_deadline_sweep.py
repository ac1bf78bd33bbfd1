"""APPI-26 deadline sweep: officers are reminded 1 day before each report deadline and alerted
when it is overdue, each alert once, also with two sweeps running at the same time; and an
incident walked from creation to final report and notice campaign in frozen time."""

from datetime import timedelta

import pytest
import time_machine
from celery.result import allow_join_result
from django.db import connection

from incidents_app import services
from incidents_app.models import IncidentAlert
from incidents_app.sweep import incident_deadline_sweep
from notifications_app.models import OutboundEmail
from notifications_app.selectors.campaigns import campaign_coverage
from tests.conftest import run_at_once
from tests.incidents_app.conftest import NOTICE, T0, record

pytestmark = pytest.mark.rule("APPI-26")
SECOND = timedelta(seconds=1)


def kinds(incident) -> list[str]:
    return list(IncidentAlert.objects.filter(incident=incident, outcome="sent")
                .order_by("due_at").values_list("kind", flat=True))


@pytest.mark.django_db
def test_appi26_reminder_a_day_before_and_escalation_when_overdue_each_once(privacy_officer):
    incident = record(privacy_officer, special_care=True)
    prelim = incident.preliminary_due_at
    assert incident_deadline_sweep(now=prelim - timedelta(days=1) - SECOND).sent == []
    for _ in range(2):
        incident_deadline_sweep(now=prelim - timedelta(days=1) + SECOND)
    assert kinds(incident) == ["preliminary_reminder_1d"]
    for _ in range(2):
        incident_deadline_sweep(now=prelim + SECOND)
    assert kinds(incident) == ["preliminary_reminder_1d", "preliminary_overdue"]
    emails = OutboundEmail.objects.filter(user=privacy_officer).order_by("id")
    assert [e.kind for e in emails] == ["staff_incident_deadline_reminder",
                                        "staff_incident_overdue_escalation"]
    assert emails[0].context["reference"] == incident.reference


@pytest.mark.django_db
def test_appi26_non_reportable_incident_is_never_swept(privacy_officer):
    incident = record(privacy_officer, affected_count=1000)
    report = incident_deadline_sweep(now=incident.final_due_at + timedelta(days=1))
    assert report.claimed == 0 and IncidentAlert.objects.count() == 0


@pytest.mark.django_db
def test_appi26_catch_up_sweep_sends_only_the_latest_alert(privacy_officer):
    incident = record(privacy_officer, financial_harm=True)
    incident_deadline_sweep(now=incident.preliminary_due_at + timedelta(hours=5))
    rows = dict(IncidentAlert.objects.filter(incident=incident).values_list("kind", "outcome"))
    assert rows == {"preliminary_reminder_1d": "skipped", "preliminary_overdue": "sent"}
    assert OutboundEmail.objects.filter(kind="staff_incident_deadline_reminder").count() == 0


@pytest.mark.services
def test_appi26_two_concurrent_sweeps_send_each_alert_once(transactional_db, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking with skip_locked needs PostgreSQL (DATABASE_URL)")
    officer = make_user("officer", email="officer@ccucaas.example", is_superuser=True)
    incidents = [record(officer, special_care=True, title=f"incident {n}") for n in range(8)]
    due = incidents[0].preliminary_due_at
    for instant, expected in [(due - timedelta(days=1) + SECOND, ["preliminary_reminder_1d"]),
                              (due + SECOND, ["preliminary_reminder_1d", "preliminary_overdue"])]:
        # Eager tasks applied by two threads at once race on Celery's process-wide "join would
        # block" flag and can leave it set; restore it so later tests may still call .get().
        with allow_join_result():
            errors = run_at_once(lambda at=instant: incident_deadline_sweep(now=at), threads=2)
        assert errors == []
        for incident in incidents:
            assert kinds(incident) == expected
    assert OutboundEmail.objects.filter(kind="staff_incident_deadline_reminder").count() == 8
    assert OutboundEmail.objects.filter(kind="staff_incident_overdue_escalation").count() == 8


@pytest.mark.django_db
def test_appi26_incident_from_recording_to_final_report_and_notice_campaign(
        privacy_officer, make_user, django_capture_on_commit_callbacks, mailoutbox):
    alice, bob = make_user("alice", language="ja"), make_user("bob", language="en")
    make_user("carol")  # not affected: never notified
    with time_machine.travel(T0, tick=False):
        incident = services.incident_create(
            title="不正アクセス", known_at=T0 - timedelta(hours=1), reported_by="SOC 当番",
            description="WAF が不審なアクセスを検知", data_items=["メールアドレス", "氏名"],
            data_categories=["profile"], affected_users=[alice, bob], unlawful_intent=True,
            actor=privacy_officer)
    assert incident.final_due_at - incident.preliminary_due_at == timedelta(days=57)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        services.incident_report_save_and_submit(
            incident=incident, stage="preliminary", actor=privacy_officer,
            items={"summary": "不正アクセスによる漏えいのおそれ", "cause": "調査中"})
        assert incident_deadline_sweep().sent == []
    with time_machine.travel(T0 + timedelta(days=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        campaign = services.incident_notice_start(incident=incident, notice=NOTICE,
                                                  actor=privacy_officer)
    coverage = campaign_coverage(campaign=campaign)
    assert (coverage.recipients, coverage.sent, coverage.complete) == (2, 2, True)
    by_address = {m.to[0]: m for m in mailoutbox if m.to[0] in (alice.email, bob.email)}
    assert "不正アクセスによりメールアドレスが漏えいしました。" in by_address[alice.email].body
    assert "Beware of suspicious emails." in by_address[bob.email].body
    assert "privacy@ccucaas.example" in by_address[bob.email].body  # the help desk
    with time_machine.travel(incident.final_due_at - timedelta(days=1) + SECOND, tick=False):
        assert [k for _ref, k in incident_deadline_sweep().sent] == ["final_reminder_1d"]
        services.incident_report_save_and_submit(
            incident=incident, stage="final", actor=privacy_officer,
            items={name: "記載" for name in ("summary", "data_items", "people_count", "cause",
                                           "secondary_harm", "subject_response", "publication",
                                           "prevention", "other")})
    incident.refresh_from_db()
    assert incident.next_check_at is None
    assert incident.final_submitted_at < incident.final_due_at
    assert [e.action for e in incident.events.all()] == [
        "recorded", "preliminary_report_saved", "preliminary_report_submitted",
        "notice_campaign_started", "final_report_saved", "final_report_submitted"]
