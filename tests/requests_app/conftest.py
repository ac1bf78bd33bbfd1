"""Fixtures of the requests tests: staff in their groups, and requests in every status,
each reached through the services (never by setting fields)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group

from requests_app.models import Channel, DataSubjectRequest, Status
from requests_app.services import filing, transitions, verification
from tests.accounts_app.staff import privacy_officer_make

# 2026-11-29 10:00 JST, the example of RULES.md "How deadlines are counted".
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


@pytest.fixture
def privacy_officer(make_user):
    return privacy_officer_make(make_user)


@pytest.fixture
def support_agent(make_user):
    user = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Support agent"))
    return user


def default_details(type: str) -> dict:
    if type == "inquiry":
        return {"subject": "件名", "message": "本文"}
    if type == "correction":
        return {"items": [{"field": "first_name", "requested_value": "花子"}]}
    return {}


def file_portal(user, type="disclosure", details=None, *, now=T0) -> DataSubjectRequest:
    if details is None:
        details = default_details(type)
    request, _sent = filing.request_file(type=type, channel=Channel.PORTAL, details=details,
                                           subject=user, now=now)
    return request


def file_web_form(email="guest@example.org", type="disclosure", details=None, *, now=T0):
    if details is None:
        details = default_details(type)
    return filing.request_file(type=type, channel=Channel.WEB_FORM, details=details,
                                 subject_name="Guest", subject_email=email, now=now)


def decide_all(req: DataSubjectRequest, *, staff, accept: bool = True) -> None:
    """Staff accept (or refuse, with a reason) every item of a correction, as the admin does."""
    from requests_app.services.fulfilment import correction_item_decide

    for index in range(len(req.details.get("items", []))):
        correction_item_decide(request=req, index=index, accept=accept,
                               note="" if accept else "確認できません", actor=staff)


def request_in(status: str, *, user, staff, type: str = "correction", now=T0) -> DataSubjectRequest:
    """A request of `user` in `status`, reached by real transitions starting at `now`."""
    later = now + timedelta(hours=1)
    if status == Status.AWAITING_VERIFICATION:
        return file_web_form(email=user.email, type=type, now=now)[0]
    if status == Status.EXPIRED:
        req = file_web_form(email=user.email, type=type, now=now - timedelta(days=15))[0]
        return verification.request_expire(request=req, now=now)
    req = file_portal(user, type, now=now)
    if status == Status.RECEIVED:
        return req
    if status == Status.IN_REVIEW:
        return transitions.request_start_review(request=req, actor=staff, now=later)
    if status in (Status.REPLIED, Status.COMPLETED):
        if type == "correction":  # a correction is replied to once every item is decided
            import time_machine

            with time_machine.travel(now + timedelta(minutes=30), tick=False):
                decide_all(req, staff=staff)
        req = transitions.request_reply(request=req, actor=staff, text="回答です", now=later)
        if status == Status.COMPLETED and req.status != Status.COMPLETED:
            req = transitions.request_complete(request=req, actor=staff, now=later)
        return req
    if status == Status.REJECTED:
        return transitions.request_reject(request=req, actor=staff, reason="本人確認不可",
                                          ground="identity_not_established", now=later)
    if status == Status.WITHDRAWN:
        return transitions.request_withdraw(request=req, actor=user, now=later)
    raise AssertionError(status)
