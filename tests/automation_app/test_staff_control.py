"""Staff stay in control (issue 25): the pause switch, sampling into the review queue, reopening,
and the admin (privacy officers only, every change logged)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from automation_app.models import (
    AutomationChange,
    AutomationControl,
    AutomationRule,
    AutomationRun,
    ChangeKind,
    Mode,
    ReviewItem,
    RunStatus,
)
from automation_app.services import staff as automation
from ccucaas_privacy.evidence import AppendOnlyError
from requests_app.models import Channel, Status
from tests.accounts_app.staff import privacy_officer_make
from tests.automation_app.conftest import events

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21")]


@pytest.fixture
def po(make_user):
    return privacy_officer_make(make_user)


@pytest.fixture
def people(make_user):
    return [make_user(f"user{i}") for i in range(6)]


def test_p21_pausing_stops_new_automatic_handling_at_once(frozen, alice, bob, po, file):
    automation.automation_pause(actor=po, reason="漏えい対応中")
    paused = file(alice, "disclosure")
    assert paused.status == Status.RECEIVED
    run = AutomationRun.objects.get(request=paused)
    assert run.status == RunStatus.TO_PERSON and run.reasons[0]["code"] == "paused"
    assert events(paused, "automation_to_person")
    automation.automation_resume(actor=po)
    assert file(bob, "disclosure").status in (Status.REPLIED, Status.COMPLETED)
    log = list(AutomationChange.objects.filter(kind=ChangeKind.CONTROL).order_by("id"))
    assert [c.after["paused"] for c in log] == [True, False]
    assert log[0].actor == po and log[0].after["paused_reason"] == "漏えい対応中"


def test_p21_pausing_stops_a_cooling_off_deletion_that_is_due(frozen, alice, po, file, run):
    from automation_app.services.handling import automation_sweep

    request = file(alice, "deletion")
    automation.automation_pause(actor=po, reason="点検")
    frozen.shift(timedelta(hours=25))
    run(automation_sweep)
    request.refresh_from_db()
    alice.refresh_from_db()
    assert request.status == Status.RECEIVED and alice.is_active
    assert AutomationRun.objects.get(request=request).status == RunStatus.TO_PERSON


def test_a_pause_needs_a_reason(po):
    from ccucaas_privacy.errors import DomainError

    with pytest.raises(DomainError):
        automation.automation_pause(actor=po, reason=" ")
    assert AutomationControl.objects.get(pk=1).paused is False


def test_p21_every_nth_automatic_request_is_put_in_the_review_queue(frozen, people, po, file):
    automation.automation_control_update(values={"sample_every": 3}, actor=po)
    requests = [file(user, "disclosure") for user in people]
    sampled = {item.run.request_id for item in ReviewItem.objects.filter(reviewed_at=None)}
    assert sampled == {requests[2].pk, requests[5].pk}
    assert [AutomationRun.objects.get(request=r).ordinal for r in requests] == [1, 2, 3, 4, 5, 6]


def test_p21_a_reviewer_reopens_an_automatic_reply_for_a_person(frozen, alice, po, file):
    automation.automation_control_update(values={"sample_every": 1}, actor=po)
    request = file(alice, "disclosure")
    item = ReviewItem.objects.get(run__request=request)
    automation.automation_reopen(run=item.run, actor=po, note="回答内容を確認する")
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.status == Status.IN_REVIEW and request.completed_at is None
    assert item.outcome == ReviewItem.Outcome.REOPENED and item.reviewed_by == po
    [reopen] = events(request, "reopen")
    assert reopen.actor == po and reopen.note == "回答内容を確認する"
    assert AutomationRun.objects.get(request=request).status == RunStatus.REOPENED


def test_a_deletion_already_being_applied_cannot_be_reopened(frozen, alice, po, file, run):
    from automation_app.services.handling import automation_sweep
    from ccucaas_privacy.errors import ConflictError

    request = file(alice, "deletion")
    frozen.shift(timedelta(hours=24))
    run(automation_sweep)
    with pytest.raises(ConflictError):
        automation.automation_reopen(run=AutomationRun.objects.get(request=request), actor=po,
                                     note="x")


def test_rule_changes_are_refused_when_automation_cannot_do_them(po):
    from ccucaas_privacy.errors import DomainError

    inquiry = AutomationRule.objects.create(request_type="inquiry", channel=Channel.PORTAL)
    with pytest.raises(DomainError):
        automation.automation_rule_update(rule=inquiry, values={"mode": Mode.AUTOMATIC}, actor=po)
    disclosure = AutomationRule.objects.get(request_type="disclosure", channel=Channel.PORTAL)
    with pytest.raises(DomainError):
        automation.automation_rule_update(rule=disclosure, values={"mode": Mode.COOLING_OFF},
                                          actor=po)
    disclosure.refresh_from_db()
    assert disclosure.mode == Mode.AUTOMATIC
    assert not AutomationChange.objects.exists()


def test_the_change_log_is_append_only(po):
    from tests.conftest import assert_append_only

    automation.automation_pause(actor=po, reason="点検")
    change = AutomationChange.objects.get()
    assert_append_only(change, update=(AutomationChange.objects.all(), {"note": "x"}),
                       delete=AutomationChange.objects.all())
    with pytest.raises(AppendOnlyError):
        AutomationChange.objects.filter(pk=change.pk).update(summary="y")


def test_a_privacy_officer_edits_a_rule_in_the_admin_and_the_change_is_logged(
        po, client, staff_sign_in):
    rule = AutomationRule.objects.get(request_type="deletion", channel=Channel.PORTAL)
    staff_sign_in(client, po)
    url = reverse("admin:automation_app_automationrule_change", args=[rule.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "熟慮期間の後に自動" in page.content.decode()  # labels, not codes
    data = {"mode": "cooling_off", "cooling_off_hours": "48", "person_if_legal_hold": "on",
            "person_if_open_incident": "on", "person_if_not_self_service": "on",
            "self_service_fields": ["first_name"], "person_if_payment_in_use": "on",
            "frequency_max_requests": "5", "frequency_days": "30", "person_if_agent": "on",
            "person_if_flagged": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.cooling_off_hours == 48 and rule.frequency_max_requests == 5
    change = AutomationChange.objects.get(kind=ChangeKind.RULE)
    assert change.actor == po
    assert change.before["cooling_off_hours"] is None and change.after["cooling_off_hours"] == 48


def test_the_admin_refuses_an_automatic_inquiry_rule_with_a_form_error(po, client,
                                                                       staff_sign_in):
    staff_sign_in(client, po)
    response = client.post(reverse("admin:automation_app_automationrule_add"), {
        "request_type": "inquiry", "channel": "portal", "mode": "automatic",
        "frequency_days": "30"})
    assert response.status_code == 200
    assert "自動で回答できません" in response.content.decode()
    assert not AutomationRule.objects.filter(request_type="inquiry").exists()


def test_a_support_agent_cannot_see_or_change_automation(make_user, client, staff_sign_in):
    agent = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    agent.groups.add(Group.objects.get(name="Support agent"))
    staff_sign_in(client, agent)
    for name in ("automationrule", "automationcontrol", "automationrun", "reviewitem",
                 "staffflag", "automationchange"):
        url = reverse(f"admin:automation_app_{name}_changelist")
        assert client.get(url).status_code == 403, name


def test_the_admin_list_of_automatic_requests_shows_the_rule(frozen, alice, po, file, client,
                                                             staff_sign_in):
    request = file(alice, "disclosure")
    staff_sign_in(client, po)
    page = client.get(reverse("admin:automation_app_automationrun_changelist")).content.decode()
    assert request.reference in page and "自動処理済み" in page
    assert alice.username not in page  # no personal data in the list


def test_the_admin_pause_switch_takes_effect_for_the_next_request(frozen, po, alice, file,
                                                                  client, staff_sign_in):
    staff_sign_in(client, po)
    url = reverse("admin:automation_app_automationcontrol_change", args=[1])
    response = client.post(url, {"paused": "on", "paused_reason": "障害対応",
                                 "sample_every": "10"})
    assert response.status_code == 302
    assert file(alice, "disclosure").status == Status.RECEIVED


def test_p21_the_review_queue_in_the_admin_lists_the_sampled_requests(frozen, people, po, file,
                                                                      client, staff_sign_in):
    automation.automation_control_update(values={"sample_every": 2}, actor=po)
    requests = [file(user, "disclosure") for user in people[:4]]
    staff_sign_in(client, po)
    page = client.get(reverse("admin:automation_app_reviewitem_changelist")).content.decode()
    assert requests[1].reference in page and requests[3].reference in page
    assert requests[0].reference not in page and requests[2].reference not in page
