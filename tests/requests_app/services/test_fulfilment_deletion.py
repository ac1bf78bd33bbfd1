"""Deletion after the reply (RULES P08, P11, P21; DESIGN section 6): every source erases or
anonymises, held categories are kept and named, release of the hold completes the erasure via
the sweep, the account is closed at once, the request survives pseudonymised."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from accounts_app.models import AccountSession, PersistentLogin, User
from ccucaas_privacy import clock
from ccucaas_privacy.datasources import all_sources, source_get
from ccucaas_privacy.errors import ConflictError, DomainError
from requests_app.models import DataSubjectRequest, LegalHold, Propagation, Status
from requests_app.services import filing, fulfilment, transitions
from tests.requests_app.fulfilment_data import (
    EMAIL,
    IP,
    LAST_NAME,
    USERNAME,
    rich_user,
    scan,
    tables_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]


@pytest.fixture
def hanako(make_user, officer, run):
    return run(rich_user, make_user, staff=officer)


def _deletion(user, run):
    request, _sent = run(filing.request_file, type="deletion", channel="portal",
                         details={"note": f"delete me, {LAST_NAME}"}, subject=user)
    return request


def _evidence_tables():
    """Tables of categories kept as evidence (consent ledger, acceptances, provisions, staff
    access log): retained with their reason, so the user's IP may stay there."""
    keep = [s for s in all_sources() if s.retained_on_erasure
            and s.category not in ("request_history", "staff_activity")]
    return tables_of(keep)


def test_p21_full_deletion_leaves_no_email_name_or_ip_outside_evidence(hanako, officer, run):
    request = _deletion(hanako, run)
    run(fulfilment.deletion_approve, request=request, actor=officer)
    assert scan(skip_tables=_evidence_tables())  # before: the markers are everywhere
    run(transitions.request_reply, request=request, actor=officer, text="削除します。")

    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert set(Propagation.objects.filter(request=request).values_list("status", flat=True)) == {"confirmed"}
    assert scan(skip_tables=_evidence_tables()) == {}
    hanako.refresh_from_db()
    assert not hanako.is_active and not hanako.has_usable_password()
    # The request survives, pseudonymised, with its timeline.
    assert DataSubjectRequest.objects.filter(subject=hanako).count() == 2
    assert request.events.filter(action="complete").exists()


def test_p08_reply_names_what_is_kept_and_when_backups_rotate(hanako, officer, run, settings):
    settings.BACKUP_RETENTION_DAYS = 30
    request = _deletion(hanako, run)
    run(fulfilment.legal_hold_place, user=hanako, categories=["payment_references"],
        basis="legal_obligation", note="tax records, 7 years", actor=officer)
    run(fulfilment.deletion_approve, request=request, actor=officer)
    mail.outbox.clear()
    with time_machine.travel(clock.now(), tick=False):
        run(transitions.request_reply, request=request, actor=officer, text="削除します。")
        rotated = clock.to_jst(clock.now() + timedelta(days=30)).strftime("%Y-%m-%d")
    reply = next(m for m in mail.outbox if "削除します" in m.body)
    with translation.override("ja"):
        title = str(source_get("payment_references").title)
        basis = str(LegalHold(basis="legal_obligation").get_basis_display())
        evidence = str(source_get("consent_events").title)
    assert f"{title}: {basis} (tax records, 7 years)" in reply.body
    assert rotated in reply.body
    assert evidence in reply.body  # evidence kept, named


def test_p08_legal_hold_keeps_exactly_the_held_category_until_released(hanako, officer, run):
    hold = run(fulfilment.legal_hold_place, user=hanako, categories=["payment_references"],
               basis="dispute", note="chargeback dispute", actor=officer)
    request = _deletion(hanako, run)
    run(fulfilment.deletion_approve, request=request, actor=officer)
    run(transitions.request_reply, request=request, actor=officer, text="削除します。")

    held = Propagation.objects.get(request=request, source="payment_references")
    assert held.status == "held"
    assert list(source_get("payment_references").export(hanako))  # still there
    assert list(source_get("contacts").export(hanako)) == []  # everything else went
    request.refresh_from_db()
    assert request.status == Status.COMPLETED  # the reply named the retained category

    run(fulfilment.legal_hold_release, hold=hold, actor=officer)
    run(fulfilment.fulfilment_sweep)
    held.refresh_from_db()
    assert held.status == "confirmed"
    assert list(source_get("payment_references").export(hanako)) == []
    with pytest.raises(ConflictError):
        fulfilment.legal_hold_release(hold=LegalHold.objects.get(pk=hold.pk), actor=officer)


def test_p08_legal_hold_needs_known_categories_a_basis_and_a_note(hanako, officer):
    for bad in ({"categories": ["nope"]}, {"basis": "because"}, {"note": " "}, {"categories": []}):
        kwargs = {"user": hanako, "categories": ["contacts"], "basis": "dispute",
                  "note": "n", "actor": officer} | bad
        with pytest.raises(DomainError):
            fulfilment.legal_hold_place(**kwargs)
    assert not LegalHold.objects.exists()


def test_p11_deletion_closes_the_account_and_ends_every_login_at_once(hanako, officer, run,
                                                                      monkeypatch):
    """Even while a source keeps failing, the account is closed right after the reply."""
    def broken(self, user):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(type(source_get("contacts")), "erase", broken)
    request = _deletion(hanako, run)
    run(fulfilment.deletion_approve, request=request, actor=officer)
    run(transitions.request_reply, request=request, actor=officer, text="削除します。")

    assert not User.objects.get(pk=hanako.pk).is_active
    assert not AccountSession.objects.filter(user=hanako).exists()
    assert not PersistentLogin.objects.filter(user=hanako, revoked_at=None).exists()
    failed = Propagation.objects.get(request=request, source="contacts")
    assert failed.status == "failed" and "disk on fire" in failed.last_error
    assert failed.next_attempt_at > clock.now()
    # The others went on; the account row waits for every other source; nothing is complete.
    assert Propagation.objects.get(request=request, source="visitor_logs").status == "confirmed"
    assert Propagation.objects.get(request=request, source="profile").status == "pending"
    request.refresh_from_db()
    assert request.status == Status.REPLIED

    monkeypatch.undo()
    with time_machine.travel(failed.next_attempt_at + timedelta(seconds=1), tick=False):
        run(fulfilment.fulfilment_sweep)
    failed.refresh_from_db()
    request.refresh_from_db()
    assert failed.status == "confirmed" and failed.attempts == 2
    assert request.status == Status.COMPLETED
    assert User.objects.get(pk=hanako.pk).username == f"erased-{hanako.pk}"


def test_p21_no_erasure_before_staff_approve_the_deletion(hanako, officer, run):
    request = _deletion(hanako, run)
    run(transitions.request_reply, request=request, actor=officer, text="削除します。")
    assert not Propagation.objects.filter(request=request).exists()
    assert User.objects.get(pk=hanako.pk).is_active
    assert request.events.filter(action="fulfilment_waiting").exists()

    run(fulfilment.deletion_approve, request=request, actor=officer)
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert scan((EMAIL, IP, USERNAME), skip_tables=_evidence_tables()) == {}


def test_p21_closing_the_account_files_a_deletion_request(hanako, run):
    from accounts_app.services.accounts import account_close

    run(account_close, user=hanako, reason="", channel="portal")
    request = DataSubjectRequest.objects.get(subject=hanako, type="deletion")
    assert request.status == Status.RECEIVED


def test_only_deletions_are_approved(hanako, officer, run):
    request, _sent = run(filing.request_file, type="disclosure", channel="portal", details={},
                         subject=hanako)
    with pytest.raises(ConflictError):
        fulfilment.deletion_approve(request=request, actor=officer)


def test_p21_the_sweep_starts_a_fulfilment_whose_task_was_lost(hanako, officer, run):
    """The broker was down when the reply committed: beat's sweep starts the erasure."""
    request = _deletion(hanako, run)
    run(fulfilment.deletion_approve, request=request, actor=officer)
    transitions.request_reply(request=request, actor=officer, text="削除します。")  # task lost
    assert not Propagation.objects.filter(request=request).exists()
    report = run(fulfilment.fulfilment_sweep)
    assert report["started"] == 1
    # The reply email was lost too: its row still names the user, so that erasure waits.
    emails = Propagation.objects.get(request=request, source="outbound_emails")
    assert emails.status == "failed" and "still being sent" in emails.last_error
    request.refresh_from_db()
    assert request.status == Status.REPLIED

    from notifications_app.models import OutboundEmail
    from notifications_app.services.sending import outbound_email_send

    for row in OutboundEmail.objects.filter(status="queued"):
        outbound_email_send(outbound_email_id=row.pk)  # the outbox sweep's job
    with time_machine.travel(emails.next_attempt_at + timedelta(seconds=1), tick=False):
        report = run(fulfilment.fulfilment_sweep)
    request.refresh_from_db()
    assert report["started"] == 0 and request.status == Status.COMPLETED
    assert scan((EMAIL, IP, USERNAME), skip_tables=_evidence_tables()) == {}
