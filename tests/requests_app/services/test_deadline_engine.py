"""The deadline engine (RULES P21, P26; DESIGN section 5): every reminder, escalation and
propagation alert exactly once, at exactly the right instant, counted in JST."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from ccucaas_privacy import clock
from notifications_app.models import OutboundEmail
from requests_app.models import DataSubjectRequest, DeadlineAlert
from requests_app.services.filing import request_file
from requests_app.services.sweep import deadline_sweep
from requests_app.services.transitions import (
    request_assign,
    request_complete,
    request_reply,
    request_withdraw,
)
from tests.conftest import assert_append_only
from tests.requests_app.conftest import decide_all

JST = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


def sweep_at(instant: datetime):
    with time_machine.travel(instant, tick=False):
        return deadline_sweep()


def alert_kinds(request) -> list[str]:
    return list(DeadlineAlert.objects.filter(request=request, outcome="sent")
                .order_by("created_at", "id").values_list("kind", flat=True))


def support_agent(make_user, username: str):
    from django.contrib.auth.models import Group

    agent = make_user(username, email=f"{username}@ccucaas.example", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="Support agent")[0])
    return agent


def emails(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("id"))


def file_portal_request(user, *, type_: str = "disclosure", at: datetime):
    details = {
        "disclosure": {"note": "保有している個人情報をすべて開示してください"},
        "deletion": {"note": "退会するため削除してください"},
        "correction": {"items": [{"field": "last_name", "requested_value": "山田", "reason": "改姓"}]},
        "inquiry": {"subject": "質問", "message": "教えてください"},
    }[type_]
    with time_machine.travel(at, tick=False):
        request, _ = request_file(type=type_, channel="portal", details=details, subject=user)
    return request


def test_p21_reminders_7_3_1_days_then_overdue_then_daily_at_exact_jst_instants(alice, officer):
    # Received 2026-12-20 10:00 JST -> reply due before 2027-01-20 00:00 JST (across year end).
    request = file_portal_request(alice, at=jst(2026, 12, 20, 10, 0))
    assert request.reply_due_at == jst(2027, 1, 20)

    timeline = [
        (jst(2027, 1, 12, 23, 59, 59), []),
        (jst(2027, 1, 13, 0, 0), ["reply_reminder_7d"]),
        (jst(2027, 1, 16, 23, 59, 59), ["reply_reminder_7d"]),
        (jst(2027, 1, 17, 0, 0), ["reply_reminder_7d", "reply_reminder_3d"]),
        (jst(2027, 1, 19, 0, 0), ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d"]),
        (jst(2027, 1, 19, 23, 59, 59), ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d"]),
        (jst(2027, 1, 20, 0, 0), ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d",
                                  "overdue"]),
        (jst(2027, 1, 21, 0, 0), ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d",
                                  "overdue", "overdue_repeat_1"]),
        (jst(2027, 1, 22, 0, 0), ["reply_reminder_7d", "reply_reminder_3d", "reply_reminder_1d",
                                  "overdue", "overdue_repeat_1", "overdue_repeat_2"]),
    ]
    for instant, expected in timeline:
        sweep_at(instant)
        sweep_at(instant)  # a second pass at the same instant changes nothing
        assert alert_kinds(request) == expected, instant

    # Unassigned: reminders go to the privacy officers; one email per alert.
    assert [e.recipient_email for e in emails("staff_deadline_reminder")] == [officer.email] * 3
    assert len(emails("staff_overdue_escalation")) == 3


def test_p21_next_check_at_points_at_the_next_pending_alert(alice, officer):
    request = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    assert request.reply_due_at == jst(2026, 12, 30)
    assert request.next_check_at == jst(2026, 12, 23)
    sweep_at(jst(2026, 12, 23, 0, 0, 1))
    request.refresh_from_db()
    assert request.next_check_at == jst(2026, 12, 27)


def test_p21_reminders_go_to_the_assignee_and_escalations_to_officers(alice, officer, make_user):
    agent = support_agent(make_user, "agent")
    request = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    with time_machine.travel(jst(2026, 11, 30, 9, 0), tick=False):
        request_assign(request=request, assignee=agent, actor=officer)
    sweep_at(jst(2026, 12, 23, 0, 0))
    sweep_at(jst(2026, 12, 30, 0, 0))
    assert [e.recipient_email for e in emails("staff_deadline_reminder")] == [agent.email]
    assert [e.recipient_email for e in emails("staff_overdue_escalation")] == [officer.email]


def test_p21_catch_up_after_downtime_sends_one_alert_not_a_burst(alice, officer):
    request = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    # Beat was down from before the 7-day reminder until two days before the deadline.
    sweep_at(jst(2026, 12, 28, 3, 0))
    assert alert_kinds(request) == ["reply_reminder_3d"]
    skipped = DeadlineAlert.objects.filter(request=request, outcome="skipped")
    assert list(skipped.values_list("kind", flat=True)) == ["reply_reminder_7d"]
    # ... and again until three days after the deadline: one escalation, not four.
    sweep_at(jst(2027, 1, 2, 5, 0))
    assert alert_kinds(request) == ["reply_reminder_3d", "overdue_repeat_3"]
    assert len(emails("staff_overdue_escalation")) == 1


@pytest.mark.parametrize("close", ["withdraw", "reply"])
def test_p21_closed_or_replied_request_stops_its_reminders(alice, officer, close):
    request = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    sweep_at(jst(2026, 12, 23, 1, 0))
    with time_machine.travel(jst(2026, 12, 24, 9, 0), tick=False):
        if close == "withdraw":
            request_withdraw(request=request, actor=alice)
        else:
            request_reply(request=request, actor=officer, text="開示します。")
    request.refresh_from_db()
    assert request.next_check_at is None
    sweep_at(jst(2027, 1, 15, 0, 0))
    assert alert_kinds(request) == ["reply_reminder_7d"]


def test_p21_propagation_warning_12_hours_before_and_breach_at_48_hours(alice, officer):
    request = file_portal_request(alice, type_="correction", at=jst(2026, 11, 29, 10, 0))
    with time_machine.travel(jst(2026, 12, 1, 15, 0), tick=False):
        decide_all(request, staff=officer)  # a correction is replied to once decided
        request_reply(request=request, actor=officer, text="訂正します。")
    request.refresh_from_db()
    assert request.effective_due_at == jst(2026, 12, 3, 15, 0)
    sweep_at(jst(2026, 12, 3, 2, 59, 59))
    assert alert_kinds(request) == []
    sweep_at(jst(2026, 12, 3, 3, 0))
    assert alert_kinds(request) == ["propagation_warning"]
    sweep_at(jst(2026, 12, 3, 15, 0))
    assert alert_kinds(request) == ["propagation_warning", "propagation_breach"]
    assert len(emails("staff_propagation_breach")) == 1


def test_p21_completed_propagation_raises_no_breach(alice, officer):
    request = file_portal_request(alice, type_="deletion", at=jst(2026, 11, 29, 10, 0))
    with time_machine.travel(jst(2026, 12, 1, 15, 0), tick=False):
        request_reply(request=request, actor=officer, text="削除します。")
    with time_machine.travel(jst(2026, 12, 2, 9, 0), tick=False):
        request_complete(request=DataSubjectRequest.objects.get(pk=request.pk), actor=officer)
    sweep_at(jst(2026, 12, 4, 0, 0))
    assert alert_kinds(request) == []


def test_unverified_helpdesk_request_expires_after_14_days_with_an_email(officer):
    with time_machine.travel(jst(2026, 11, 29, 10, 0), tick=False):
        request, _ = request_file(type="inquiry", channel="web_form",
                                  details={"subject": "相談", "message": "確認したいことがあります"},
                                  subject_name="山田 花子", subject_email="hanako@example.jp",
                                  language="ja")
    sweep_at(jst(2026, 12, 13, 9, 59, 59))
    request.refresh_from_db()
    assert request.status == "awaiting_verification"
    sweep_at(jst(2026, 12, 13, 10, 0))
    request.refresh_from_db()
    assert request.status == "expired"
    assert request.next_check_at is None
    assert [e.recipient_email for e in emails("request_expired")] == ["hanako@example.jp"]


def test_corrupt_deadline_is_reported_once_and_does_not_stop_the_sweep(alice, bob, officer, caplog):
    broken = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    healthy = file_portal_request(bob, at=jst(2026, 11, 29, 10, 0))
    DataSubjectRequest.objects.filter(pk=broken.pk).update(reply_due_at=None,
                                                           next_check_at=jst(2026, 12, 1))
    report = sweep_at(jst(2026, 12, 23, 0, 0))
    assert report.data_errors == [broken.reference]
    assert broken.reference in caplog.text
    assert alert_kinds(healthy) == ["reply_reminder_7d"]
    assert DeadlineAlert.objects.filter(request=broken, kind="deadline_data_error").count() == 1
    assert len(emails("staff_deadline_data_error")) == 1
    # Reported once: later passes do not repeat the email.
    sweep_at(jst(2026, 12, 24, 0, 0))
    assert len(emails("staff_deadline_data_error")) == 1


def test_an_error_in_one_request_rolls_back_only_that_request(alice, bob, officer, make_user):
    mute = support_agent(make_user, "mute")
    failing = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    healthy = file_portal_request(bob, at=jst(2026, 11, 29, 10, 0))
    with time_machine.travel(jst(2026, 11, 30), tick=False):
        request_assign(request=failing, assignee=mute, actor=officer)
    type(mute).objects.filter(pk=mute.pk).update(email="")  # the outbox refuses it
    report = sweep_at(jst(2026, 12, 23, 0, 0))
    assert [ref for ref, _ in report.failures] == [str(failing.pk)]
    assert alert_kinds(failing) == []
    failing.refresh_from_db()
    assert failing.next_check_at == jst(2026, 12, 23)  # still due: retried next pass
    assert alert_kinds(healthy) == ["reply_reminder_7d"]


def test_sweep_deadlines_command_runs_one_pass(alice, officer, capsys):
    request = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    with time_machine.travel(jst(2026, 12, 23, 0, 0), tick=False):
        call_command("sweep_deadlines")
    assert alert_kinds(request) == ["reply_reminder_7d"]
    assert request.reference in capsys.readouterr().out


def test_alert_rows_are_append_only(alice, officer):
    request = file_portal_request(alice, at=jst(2026, 11, 29, 10, 0))
    sweep_at(jst(2026, 12, 23, 0, 0))
    alert = DeadlineAlert.objects.get(request=request)
    alert.note = "changed"
    assert_append_only(alert, update=(DeadlineAlert.objects.filter(pk=alert.pk), {"note": "x"}))


def test_p23_compliance_report_counts_on_time_late_and_overdue(alice, bob, officer, capsys):
    on_time = file_portal_request(alice, at=jst(2026, 11, 2, 10, 0))
    late = file_portal_request(bob, at=jst(2026, 11, 3, 10, 0))
    file_portal_request(alice, type_="inquiry", at=jst(2026, 11, 4, 10, 0))
    with time_machine.travel(jst(2026, 11, 12, 10, 0), tick=False):
        request_reply(request=on_time, actor=officer, text="回答します。")
    with time_machine.travel(jst(2026, 12, 10, 10, 0), tick=False):
        request_reply(request=late, actor=officer, text="遅れて回答します。")
    with time_machine.travel(jst(2026, 12, 20, 0, 0), tick=False):
        call_command("compliance_report", "--format", "json")
    import json

    summary = json.loads(capsys.readouterr().out)
    disclosure = next(r for r in summary["rows"] if r["type"] == "disclosure")
    assert disclosure["month"] == "2026-11"
    assert (disclosure["received"], disclosure["replied_on_time"], disclosure["replied_late"]) == (2, 1, 1)
    assert disclosure["median_days_to_reply"] == pytest.approx((10 + 37) / 2)
    inquiry = next(r for r in summary["rows"] if r["type"] == "inquiry")
    assert inquiry["overdue_now"] == 1
    # One on time, one replied late, one open past its deadline (late too; issue 19 item 4).
    assert summary["totals"]["on_time_rate"] == round(1 / 3, 4)
    assert clock.now()  # the command ran under the frozen clock above
