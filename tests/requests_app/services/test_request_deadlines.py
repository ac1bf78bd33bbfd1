"""Deadline fields of each channel and type (RULES.md P21, P26, "How deadlines are counted")."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from ccucaas_privacy import clock
from requests_app.models import Status
from requests_app.services import filing, transitions, verification
from tests.requests_app.conftest import T0, decide_all, file_portal, file_web_form

pytestmark = pytest.mark.django_db

# Received 2026-11-29 10:00 JST -> reply due before 2026-12-30 00:00 JST (= 12-29 15:00 UTC).
DUE_FROM_T0 = datetime(2026, 12, 29, 15, 0, tzinfo=UTC)
VERIFIED = T0 + timedelta(days=3, hours=5)  # 2026-12-02 15:00 JST
DUE_FROM_VERIFIED = datetime(2027, 1, 1, 15, 0, tzinfo=UTC)  # before 2027-01-02 00:00 JST


@pytest.mark.parametrize("type", ["disclosure", "correction", "deletion"])
def test_p21_portal_request_is_due_30_jst_days_after_the_day_of_receipt(type, alice):
    req = file_portal(alice, type, now=T0)
    assert req.status == Status.RECEIVED
    assert req.received_at == T0
    assert req.identity_verified_at == T0
    assert req.reply_due_at == DUE_FROM_T0
    assert clock.to_jst(req.reply_due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-30 00:00"
    assert req.replied_at is req.effective_due_at is req.completed_at is None


def test_p26_portal_inquiry_counts_from_the_account_identity_at_filing(alice):
    req = file_portal(alice, "inquiry", now=T0)
    assert req.identity_verified_at == T0
    assert req.reply_due_at == DUE_FROM_T0


@pytest.mark.parametrize("type", ["disclosure", "correction", "deletion"])
def test_p21_web_form_request_counts_from_receipt_even_before_verification(type):
    req, _sent = file_web_form(type=type, now=T0)
    assert req.status == Status.AWAITING_VERIFICATION
    assert req.identity_verified_at is None
    assert req.reply_due_at == DUE_FROM_T0
    req = verification.request_verify_identity(request=req, actor=None, now=VERIFIED)
    assert req.identity_verified_at == VERIFIED
    assert req.reply_due_at == DUE_FROM_T0


def test_p26_web_form_inquiry_has_no_due_date_until_identity_is_verified(make_user):
    req, sent = file_web_form(type="inquiry", now=T0)
    assert req.reply_due_at is None
    verified = T0 + timedelta(hours=20)  # 2026-11-30 06:00 JST, within the code's 24 h
    req = verification.request_verify_by_code(token=sent.token, code=sent.code, now=verified)
    assert req.status == Status.RECEIVED
    assert req.identity_verified_at == verified
    assert clock.to_jst(req.reply_due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-31 00:00"


def test_p26_helpdesk_inquiry_recorded_with_an_earlier_receipt_time_counts_from_verification(
        officer):
    received = T0 - timedelta(days=2)
    req, _sent = filing.request_file(
        type="inquiry", channel="helpdesk", details={"subject": "電話", "message": "内容"},
        subject_name="山田", subject_email="yamada@example.jp", actor=officer,
        received_at=received, now=T0)
    assert req.received_at == received
    assert req.reply_due_at is None
    req = verification.request_verify_identity(request=req, actor=officer, now=VERIFIED)
    assert req.reply_due_at == DUE_FROM_VERIFIED


def test_p21_helpdesk_disclosure_counts_from_when_the_letter_arrived(officer):
    received = datetime(2026, 11, 27, 14, 59, tzinfo=UTC)  # 11-27 23:59 JST
    req, _sent = filing.request_file(
        type="disclosure", channel="helpdesk", details={}, subject_name="山田",
        subject_email="yamada@example.jp", actor=officer, received_at=received, now=T0)
    assert clock.to_jst(req.reply_due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-28 00:00"


def test_helpdesk_receipt_time_in_the_future_is_refused(officer):
    from ccucaas_privacy.errors import DomainError

    with pytest.raises(DomainError):
        filing.request_file(type="disclosure", channel="helpdesk", details={},
                              subject_email="a@example.jp", received_at=T0 + timedelta(hours=1),
                              now=T0)


@pytest.mark.parametrize(("type", "effective"), [
    ("correction", True), ("deletion", True), ("disclosure", False), ("inquiry", False)])
def test_p21_change_is_due_in_effect_exactly_48_hours_after_the_reply(type, effective, alice,
                                                                       officer):
    req = file_portal(alice, type, now=T0)
    if type == "correction":  # replied to once every item is decided
        decide_all(req, staff=officer)
    replied = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 15:00 JST
    req = transitions.request_reply(request=req, actor=officer, text="回答", now=replied)
    assert req.replied_at == replied
    if effective:
        assert clock.to_jst(req.effective_due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-03 15:00"
    else:
        assert req.effective_due_at is None
        # An inquiry is completed by the reply; a disclosure when its package is ready.
        assert req.completed_at == (None if type == "disclosure" else replied)


def test_next_check_at_follows_the_deadline_engine_after_every_transition(alice, officer):
    from requests_app import deadlines

    req = file_portal(alice, "deletion", now=T0)
    assert req.next_check_at == deadlines.next_check_at(req, now=T0)
    assert req.next_check_at == DUE_FROM_T0 - timedelta(days=7)
    req = transitions.request_reply(request=req, actor=officer, text="回答", now=T0)
    assert req.next_check_at == req.effective_due_at - timedelta(hours=12)
    req = transitions.request_complete(request=req, now=T0 + timedelta(hours=1))
    assert req.next_check_at is None


def test_unverified_web_form_request_is_checked_first_for_its_one_reminder():
    # Issue 21: one reminder DEADLINE_VERIFICATION_REMINDER_HOURS (6) before the 24-hour link
    # expires comes first; the 14-day expiry is checked after it (test_verification_reminder.py).
    req, _sent = file_web_form(now=T0)
    assert req.next_check_at == T0 + timedelta(hours=24 - 6)


def test_expiry_before_14_days_is_refused(officer):
    from ccucaas_privacy.errors import ConflictError

    req, _sent = file_web_form(now=T0)
    with pytest.raises(ConflictError):
        verification.request_expire(request=req, now=T0 + timedelta(days=13, hours=23))
    req = verification.request_expire(request=req, now=T0 + timedelta(days=14))
    assert req.status == Status.EXPIRED


def test_references_are_numbered_per_jst_year(alice, bob):
    first = file_portal(alice, now=T0)
    second = file_portal(bob, now=T0)
    new_year = file_portal(alice, "deletion", now=datetime(2026, 12, 31, 15, 0, tzinfo=UTC))
    # Numbers may have gaps (PostgreSQL sequences skip rolled-back filings) but never repeat.
    assert re.fullmatch(r"DSR-2026-\d{6}", first.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    assert re.fullmatch(r"DSR-2027-\d{6}", new_year.reference)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_filings_get_distinct_references_and_never_duplicate(make_user):
    """Eight threads file at once: all get distinct references; the same subject and type twice
    at once yields one request and one DuplicateRequestError (the constraint decides)."""
    import threading

    from django.db import connection as main_connection

    from requests_app.services.filing import DuplicateRequestError

    users = [make_user(f"u{i}") for i in range(6)]
    jobs = [users[i] for i in range(6)] + [users[0], users[0]]
    # Two simultaneous deletions by one user: one is a duplicate (inquiries never are).
    jobs = [(u, "deletion" if n >= 6 else "disclosure") for n, u in enumerate(jobs)]
    results: list = []
    barrier = threading.Barrier(len(jobs))

    def file(user, type):
        from django.db import connection

        try:
            barrier.wait()
            results.append(file_portal(user, type))
        except DuplicateRequestError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    del main_connection
    filed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, DuplicateRequestError)]
    assert len(filed) == 7 and len(refused) == 1, results
    assert len({r.reference for r in filed}) == 7
