"""Every allowed and every forbidden transition of DESIGN section 4, driven by one table."""

from datetime import timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict

from ccucaas_privacy.errors import ConflictError
from notifications_app.models import OutboundEmail
from requests_app.models import DataSubjectRequest, RequestEvent, Status
from requests_app.services import transitions, verification
from tests.requests_app.conftest import T0, decide_all, request_in

NOW = T0 + timedelta(days=2)

# (action, status it leads to from each allowed status; None = unchanged)
EXPECTED_ALLOWED = {
    "send_verification": {Status.AWAITING_VERIFICATION},
    "verify_identity": {Status.AWAITING_VERIFICATION},
    "expire": {Status.AWAITING_VERIFICATION},
    "assign": {Status.AWAITING_VERIFICATION, Status.RECEIVED, Status.IN_REVIEW, Status.REPLIED},
    "start_review": {Status.RECEIVED},
    "reply": {Status.RECEIVED, Status.IN_REVIEW},
    "reject": {Status.AWAITING_VERIFICATION, Status.RECEIVED, Status.IN_REVIEW},
    "withdraw": {Status.AWAITING_VERIFICATION, Status.RECEIVED, Status.IN_REVIEW},
    "complete": {Status.REPLIED},
    "reopen": {Status.REPLIED, Status.COMPLETED},  # issue 25: back to a person
}
EXPECTED_TARGET = {
    "send_verification": None, "verify_identity": Status.RECEIVED, "expire": Status.EXPIRED,
    "assign": None, "start_review": Status.IN_REVIEW, "reply": Status.REPLIED,
    "reject": Status.REJECTED, "withdraw": Status.WITHDRAWN, "complete": Status.COMPLETED,
    "reopen": Status.IN_REVIEW,
}
CASES = [(action, status, status in allowed)
         for action, allowed in EXPECTED_ALLOWED.items() for status in Status.values]


def _perform(action: str, req, *, staff, user):
    now = NOW
    if action == "send_verification":
        return verification.request_send_verification(request=req, actor=staff, now=now)
    if action == "verify_identity":
        return verification.request_verify_identity(request=req, actor=staff, now=now)
    if action == "expire":
        return verification.request_expire(request=req, now=req.received_at + timedelta(days=15))
    if action == "assign":
        return transitions.request_assign(request=req, assignee=staff, actor=staff, now=now)
    if action == "start_review":
        return transitions.request_start_review(request=req, actor=staff, now=now)
    if action == "reply":
        return transitions.request_reply(request=req, actor=staff, text="ご回答", now=now)
    if action == "reject":
        return transitions.request_reject(request=req, actor=staff, reason="理由",
                                           ground="request_unclear", now=now)
    if action == "withdraw":
        return transitions.request_withdraw(request=req, actor=user, now=now)
    if action == "complete":
        return transitions.request_complete(request=req, actor=staff, now=now)
    if action == "reopen":
        return transitions.request_reopen(request=req, actor=staff, note="再確認", now=now)
    raise AssertionError(action)


def _snapshot(req):
    row = DataSubjectRequest.objects.get(pk=req.pk)
    return (model_to_dict(row), RequestEvent.objects.filter(request=req).count(),
            OutboundEmail.objects.count(), list(req.challenges.values()))


def test_the_transition_table_is_the_one_the_design_describes():
    assert set(transitions.ACTIONS) == set(EXPECTED_ALLOWED)
    for action, allowed in EXPECTED_ALLOWED.items():
        assert transitions.allowed_from(action) == allowed, action


@pytest.mark.parametrize(("action", "status", "allowed"), CASES,
                         ids=[f"{a}-from-{s}-{'ok' if ok else 'refused'}" for a, s, ok in CASES])
def test_every_transition_is_allowed_or_refused_with_nothing_changed(
        action, status, allowed, alice, privacy_officer):
    req = request_in(status, user=alice, staff=privacy_officer)
    assert req.status == status
    if action == "reply" and allowed:  # a correction is replied to once every item is decided
        with time_machine.travel(T0 + timedelta(hours=2), tick=False):
            decide_all(req, staff=privacy_officer)
    before = _snapshot(req)
    if not allowed:
        with pytest.raises(ConflictError) as info:
            _perform(action, req, staff=privacy_officer, user=alice)
        assert info.value.status == 409
        assert _snapshot(req) == before
        return
    events_before = before[1]
    result = _perform(action, req, staff=privacy_officer, user=alice)
    req.refresh_from_db()
    expected = EXPECTED_TARGET[action] or status
    assert req.status == expected
    new_events = list(RequestEvent.objects.filter(request=req).order_by("created_at", "id")
                      )[events_before:]
    assert new_events and new_events[0].action == action
    assert new_events[0].from_status == status
    assert OutboundEmail.objects.count() > before[2], "every transition queues an email"
    assert result is not None


def test_p21_a_disclosure_to_an_account_stays_replied_until_its_package_is_ready(
        alice, privacy_officer):
    req = request_in(Status.RECEIVED, user=alice, staff=privacy_officer, type="disclosure")
    req = transitions.request_reply(request=req, actor=privacy_officer, text="回答", now=NOW)
    assert (req.status, req.completed_at, req.effective_due_at) == (Status.REPLIED, None, None)


@pytest.mark.parametrize("type", ["inquiry"])
def test_p26_an_inquiry_is_completed_by_the_reply(type, alice, privacy_officer):
    req = request_in(Status.RECEIVED, user=alice, staff=privacy_officer, type=type)
    req = transitions.request_reply(request=req, actor=privacy_officer, text="回答", now=NOW)
    assert req.status == Status.COMPLETED
    assert req.replied_at == req.completed_at == NOW
    assert req.effective_due_at is None
    assert list(req.events.values_list("action", "to_status")) == [
        ("receive", "received"), ("reply", "replied"), ("complete", "completed")]


@pytest.mark.parametrize("type", ["correction", "deletion"])
def test_p21_correction_and_deletion_stay_replied_until_fulfilment(type, alice, privacy_officer):
    req = request_in(Status.RECEIVED, user=alice, staff=privacy_officer, type=type)
    decide_all(req, staff=privacy_officer)
    req = transitions.request_reply(request=req, actor=privacy_officer, text="回答",
                                 attachments=[{"name": "changes.pdf"}], now=NOW)
    assert req.status == Status.REPLIED
    assert req.completed_at is None
    assert req.effective_due_at == NOW + timedelta(hours=48)
    assert req.reply_attachments == [{"name": "changes.pdf", "description": ""}]
