"""Each condition that sends a request to a person instead of automation (issue 25), with frozen
time: the request stays `received` for staff, and its timeline says why."""

from datetime import timedelta

import pytest

from automation_app.models import AutomationRule, AutomationRun, Mode, RunStatus
from automation_app.services import staff as automation
from ccucaas_privacy import datasources
from requests_app.models import Channel, HoldBasis, Status
from requests_app.services.fulfilment import legal_hold_place
from tests.automation_app.conftest import T0, events

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21")]


def _sent_to_person(request, code: str) -> str:
    request.refresh_from_db()
    assert request.status == Status.RECEIVED
    assert request.replied_at is None
    run = AutomationRun.objects.get(request=request)
    assert run.status == RunStatus.TO_PERSON
    assert code in [r["code"] for r in run.reasons]
    [note] = events(request, "automation_to_person")
    assert code in note.data["reasons"] and note.data["actor"] == "automation"
    assert note.data["rule"] == run.rule_id
    return note.note


def _hold(user, officer):
    return legal_hold_place(user=user, categories=[datasources.categories()[0]],
                            basis=HoldBasis.DISPUTE, note="係争中", actor=officer)


def test_p21_legal_hold_on_the_subject_sends_a_disclosure_to_a_person(frozen, alice, officer,
                                                                      file):
    _hold(alice, officer)
    note = _sent_to_person(file(alice, "disclosure"), "legal_hold")
    assert "法的" in note or "legal hold" in note


def test_p21_an_open_incident_involving_the_subject_sends_it_to_a_person(frozen, alice, file):
    from incidents_app.services import incident_create

    incident = incident_create(title="漏えい", known_at=T0 - timedelta(days=1), reported_by="ops",
                               description="誤送信", data_items=["email"], affected_users=[alice])
    note = _sent_to_person(file(alice, "disclosure"), "open_incident")
    assert incident.reference in note


def test_p21_an_incident_not_involving_the_subject_does_not_stop_automation(frozen, alice,
                                                                             bob, file):
    from incidents_app.services import incident_create

    incident_create(title="漏えい", known_at=T0 - timedelta(days=1), reported_by="ops",
                    description="誤送信", data_items=["email"], affected_users=[bob])
    request = file(alice, "disclosure")  # bob's incident does not involve alice
    assert request.status in (Status.REPLIED, Status.COMPLETED)


def test_p21_a_correction_of_a_field_that_is_not_self_service_goes_to_a_person(frozen, alice,
                                                                               file):
    request = file(alice, "correction",
                   {"items": [{"field": "first_name", "requested_value": "花子"},
                              {"field": "email", "requested_value": "new@example.jp"}]})
    note = _sent_to_person(request, "not_self_service")
    assert "email" in note
    assert not events(request, "correction_item_decide")  # nothing decided for staff


def test_p21_a_deletion_with_a_payment_reference_in_use_goes_to_a_person(frozen, alice, file):
    from accounts_app.services.data import payment_reference_create

    payment_reference_create(user=alice, processor="PayFlow", processor_token="pf_cus_x",
                             brand="VISA", last4="4242", exp_month=1, exp_year=2027)
    _sent_to_person(file(alice, "deletion"), "payment_in_use")


def test_p21_an_expired_card_is_not_a_payment_reference_in_use(frozen, alice, file):
    from accounts_app.services.data import payment_reference_create

    payment_reference_create(user=alice, processor="PayFlow", processor_token="pf_cus_x",
                             brand="VISA", last4="4242", exp_month=10, exp_year=2026)
    request = file(alice, "deletion")
    assert AutomationRun.objects.get(request=request).status == RunStatus.COOLING_OFF


def test_p21_more_than_n_requests_in_m_days_go_to_a_person(frozen, alice, file):
    for _ in range(3):  # the default rule: more than 3 in 30 days
        assert file(alice, "disclosure").status in (Status.REPLIED, Status.COMPLETED)
        frozen.shift(timedelta(days=1))
    note = _sent_to_person(file(alice, "disclosure"), "frequency")
    assert "30" in note


def test_p21_requests_older_than_the_period_do_not_count(frozen, alice, file):
    for _ in range(3):
        file(alice, "disclosure")
    frozen.shift(timedelta(days=31))
    assert file(alice, "disclosure").status in (Status.REPLIED, Status.COMPLETED)


def test_p21_an_agent_request_goes_to_a_person_even_under_an_automatic_rule(frozen, alice,
                                                                            officer, file):
    automation.automation_rule_create(request_type="disclosure", channel=Channel.AGENT,
                                      values={"mode": Mode.AUTOMATIC}, actor=officer)
    request = file(alice, "disclosure", channel=Channel.AGENT, identity_attested="drp_verified",
                   subject_email=alice.email)
    _sent_to_person(request, "agent")


def test_p21_a_subject_flagged_by_staff_goes_to_a_person(frozen, alice, officer, file):
    automation.staff_flag_place(user=alice, reason="本人確認に疑義", actor=officer)
    note = _sent_to_person(file(alice, "disclosure"), "flagged")
    assert "本人確認に疑義" in note


def test_p21_a_lifted_flag_no_longer_stops_automation(frozen, alice, officer, file):
    flag = automation.staff_flag_place(user=alice, reason="確認", actor=officer)
    automation.staff_flag_lift(flag=flag, actor=officer)
    assert file(alice, "disclosure").status in (Status.REPLIED, Status.COMPLETED)


def test_p21_a_condition_switched_off_in_the_rule_no_longer_applies(frozen, alice, officer, file):
    _hold(alice, officer)
    rule = AutomationRule.objects.get(request_type="disclosure", channel=Channel.PORTAL)
    automation.automation_rule_update(rule=rule, values={"person_if_legal_hold": False},
                                      actor=officer)
    assert file(alice, "disclosure").status in (Status.REPLIED, Status.COMPLETED)


def test_p21_p08_a_hold_placed_during_the_cooling_off_period_stops_the_deletion(frozen, alice,
                                                                               officer, file,
                                                                               run):
    from automation_app.services.handling import automation_sweep

    request = file(alice, "deletion")
    _hold(alice, officer)
    frozen.shift(timedelta(hours=25))
    run(automation_sweep)
    _sent_to_person(request, "legal_hold")
    alice.refresh_from_db()
    assert alice.is_active  # nothing was deleted
    assert not events(request, "deletion_approve")


def test_p21_a_request_by_a_legal_or_appointed_representative_goes_to_a_person(frozen, alice,
                                                                               officer, run):
    """APPI Art. 37(3) representatives (`representative_kind`): even under an automatic rule."""
    from requests_app.models import DataSubjectRequest
    from requests_app.services import verification
    from tests.requests_app.conftest import file_web_form

    automation.automation_rule_create(request_type="disclosure", channel=Channel.WEB_FORM,
                                      values={"mode": Mode.AUTOMATIC}, actor=officer)
    request, _sent = run(file_web_form, email=alice.email, type="disclosure", details={}, now=T0)
    DataSubjectRequest.objects.filter(pk=request.pk).update(representative_kind="legal")
    request.refresh_from_db()
    run(verification.request_verify_identity, request=request, actor=officer, note="call-back")
    _sent_to_person(request, "agent")


def test_p21_the_same_web_form_request_without_a_representative_is_automatic(frozen, alice,
                                                                             officer, run):
    from requests_app.services import verification
    from tests.requests_app.conftest import file_web_form

    automation.automation_rule_create(request_type="disclosure", channel=Channel.WEB_FORM,
                                      values={"mode": Mode.AUTOMATIC}, actor=officer)
    request, _sent = run(file_web_form, email=alice.email, type="disclosure", details={}, now=T0)
    run(verification.request_verify_identity, request=request, actor=officer, note="call-back")
    request.refresh_from_db()
    assert request.status in (Status.REPLIED, Status.COMPLETED)
