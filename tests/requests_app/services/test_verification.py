"""Identity verification of web-form and help-desk requests: single-use link + 6-digit code,
stored hashed, expiring, attempt-limited, resend-limited (issue 6)."""

from datetime import timedelta

import pytest
from django.core import mail

from ccucaas_privacy.errors import DomainError
from requests_app.models import RequestEvent, Status, VerificationChallenge
from requests_app.services import verification as services
from requests_app.services.verification import token_hash
from tests.requests_app.conftest import T0, file_web_form

pytestmark = pytest.mark.django_db
SOON = T0 + timedelta(minutes=5)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_email_carries_link_and_code_and_only_hashes_are_stored(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req, sent = file_web_form(email="guest@example.org", now=T0)
    assert len(sent.code) == 6 and sent.code.isdigit()
    (message,) = [m for m in mail.outbox if "guest@example.org" in m.to]
    assert sent.code in message.body
    assert sent.path in message.body
    challenge = VerificationChallenge.objects.get(request=req)
    assert challenge.token_hash == token_hash(sent.token)
    assert sent.token not in challenge.token_hash and sent.code not in challenge.code_hash
    assert challenge.expires_at == T0 + timedelta(hours=24)


def test_correct_code_verifies_once_and_the_link_cannot_be_reused():
    req, sent = file_web_form(now=T0)
    verified = services.request_verify_by_code(token=sent.token, code=sent.code, now=SOON)
    assert verified.status == Status.RECEIVED
    assert verified.identity_verified_at == SOON
    with pytest.raises(DomainError) as info:
        services.request_verify_by_code(token=sent.token, code=sent.code, now=SOON)
    assert info.value.code == "verification_used"
    assert RequestEvent.objects.filter(request=req, action="verify_identity").count() == 1


def test_expired_code_is_refused_and_changes_nothing(settings):
    settings.DEADLINES = {**settings.DEADLINES, "VERIFICATION_CODE_TTL_HOURS": 2}
    req, sent = file_web_form(now=T0)
    with pytest.raises(DomainError) as info:
        services.request_verify_by_code(token=sent.token, code=sent.code,
                                        now=T0 + timedelta(hours=2))
    assert info.value.code == "verification_expired"
    req.refresh_from_db()
    assert req.status == Status.AWAITING_VERIFICATION
    assert req.identity_verified_at is None


def test_five_wrong_codes_invalidate_the_link_even_for_the_right_code_afterwards():
    req, sent = file_web_form(now=T0)
    for attempt in range(1, 5):
        with pytest.raises(DomainError) as info:
            services.request_verify_by_code(token=sent.token, code=_wrong(sent.code), now=SOON)
        assert info.value.code == "verification_wrong_code"
        assert VerificationChallenge.objects.get(request=req).failed_attempts == attempt
    with pytest.raises(DomainError) as info:
        services.request_verify_by_code(token=sent.token, code=_wrong(sent.code), now=SOON)
    assert info.value.code == "verification_invalidated"
    with pytest.raises(DomainError) as info:
        services.request_verify_by_code(token=sent.token, code=sent.code, now=SOON)
    assert info.value.code == "verification_invalidated"
    req.refresh_from_db()
    assert req.status == Status.AWAITING_VERIFICATION


def test_unknown_link_is_refused():
    file_web_form(now=T0)
    with pytest.raises(DomainError) as info:
        services.request_verify_by_code(token="not-a-token", code="123456", now=SOON)
    assert info.value.code == "verification_invalid"
    assert info.value.status == 404


def test_resend_replaces_the_old_link_and_is_limited(settings):
    req, first = file_web_form(now=T0)
    with pytest.raises(DomainError) as info:
        services.request_send_verification(request=req, now=T0 + timedelta(seconds=10))
    assert info.value.code == "verification_resend_too_soon"
    second = services.request_send_verification(request=req, now=T0 + timedelta(minutes=2))
    with pytest.raises(DomainError) as info:
        services.request_verify_by_code(token=first.token, code=first.code, now=SOON)
    assert info.value.code == "verification_invalidated"
    limit = settings.REQUESTS["VERIFICATION_MAX_SENDS"]
    for n in range(3, limit + 1):
        services.request_send_verification(request=req, now=T0 + timedelta(minutes=2 * n))
    with pytest.raises(DomainError) as info:
        services.request_send_verification(request=req, now=T0 + timedelta(hours=3))
    assert info.value.code == "verification_send_limit"
    assert VerificationChallenge.objects.filter(request=req).count() == limit
    del second


def test_staff_can_confirm_identity_by_other_means_and_the_open_link_dies(officer):
    req, sent = file_web_form(now=T0)
    services.request_verify_identity(request=req, actor=officer, note="折り返し電話で確認", now=SOON)
    with pytest.raises(DomainError):
        services.request_verify_by_code(token=sent.token, code=sent.code, now=SOON)
    event = RequestEvent.objects.get(request=req, action="verify_identity")
    assert event.actor == officer and event.note == "折り返し電話で確認"


def test_web_form_with_the_email_of_an_account_belongs_to_that_account(alice):
    req, _sent = file_web_form(email="ALICE@example.jp", now=T0)
    assert req.subject == alice
    assert req.subject_email == ""
