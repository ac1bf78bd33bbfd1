"""The one verification reminder (issue 21): a help-desk or web-form requester who has not
verified gets exactly one reminder, with a new link and code, before the link expires; the
expiry email says how to start again. Row-driven by the deadline sweep, idempotent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from notifications_app.models import OutboundEmail
from notifications_app.rendering import email_render
from requests_app.models import DataSubjectRequest, DeadlineAlert, RequestEvent
from requests_app.services.filing import request_file
from requests_app.services.sweep import deadline_sweep
from requests_app.services.verification import VerificationError, request_verify_by_code
from tests.conftest import run_at_once

JST = ZoneInfo("Asia/Tokyo")
FILED = datetime(2026, 11, 29, 10, 0, tzinfo=JST)
# The first link lives 24 h; the reminder goes 6 h before it dies.
REMINDER_DUE = FILED + timedelta(hours=18)


def sweep_at(instant: datetime):
    with time_machine.travel(instant, tick=False):
        return deadline_sweep()


def file_web_form(email: str = "hanako@example.jp", language: str = "ja"):
    with time_machine.travel(FILED, tick=False):
        request, _sent = request_file(type="disclosure", channel="web_form", details={},
                                      subject_name="山田 花子", subject_email=email,
                                      language=language)
    return request


def reminders(request) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind="request_verification_reminder",
                                             cause__startswith=f"request:{request.pk}:"))


@pytest.mark.django_db
def test_p21_unverified_requester_gets_exactly_one_reminder_before_the_link_expires():
    request = file_web_form()
    sweep_at(REMINDER_DUE - timedelta(seconds=1))
    assert reminders(request) == []
    sweep_at(REMINDER_DUE)
    sweep_at(REMINDER_DUE + timedelta(minutes=1))  # the next beat
    sweep_at(FILED + timedelta(days=3))
    sweep_at(FILED + timedelta(days=10))
    (reminder,) = reminders(request)
    assert reminder.recipient_email == "hanako@example.jp"
    assert list(DeadlineAlert.objects.filter(request=request).values_list("kind", flat=True)) == [
        "verification_reminder"]
    request.refresh_from_db()
    assert request.status == "awaiting_verification"
    assert request.next_check_at == FILED + timedelta(days=14)  # only the expiry is left


@pytest.mark.django_db
def test_the_reminders_new_code_verifies_the_request_and_the_first_one_stops_working():
    request = file_web_form()
    first = OutboundEmail.objects.get(kind="request_verification")
    sweep_at(REMINDER_DUE)
    (reminder,) = reminders(request)
    token = reminder.context["verify_path"].rstrip("/").rsplit("/", 1)[-1]
    old_token = first.context["verify_path"].rstrip("/").rsplit("/", 1)[-1]
    with time_machine.travel(REMINDER_DUE + timedelta(hours=1), tick=False):
        with pytest.raises(VerificationError) as refused:
            request_verify_by_code(token=old_token, code=first.context["code"])
        assert refused.value.code == "verification_invalidated"
        verified = request_verify_by_code(token=token, code=reminder.context["code"])
    assert verified.status == "received"
    assert RequestEvent.objects.filter(request=request, action="verification_reminder").count() == 1


@pytest.mark.django_db
def test_a_verified_requester_gets_no_reminder():
    request = file_web_form()
    first = OutboundEmail.objects.get(kind="request_verification")
    token = first.context["verify_path"].rstrip("/").rsplit("/", 1)[-1]
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        request_verify_by_code(token=token, code=first.context["code"])
    sweep_at(REMINDER_DUE)
    sweep_at(FILED + timedelta(days=15))
    assert reminders(request) == []


@pytest.mark.django_db
def test_a_sweep_that_wakes_after_the_expiry_sends_the_expiry_not_a_late_reminder():
    request = file_web_form()
    sweep_at(FILED + timedelta(days=14, minutes=5))
    assert reminders(request) == []
    assert DeadlineAlert.objects.get(request=request, kind="verification_reminder").outcome == "skipped"
    assert DataSubjectRequest.objects.get(pk=request.pk).status == "expired"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_reminder_and_the_expiry_email_say_what_to_do_in_the_requesters_language(language):
    request = file_web_form(language=language)
    sweep_at(REMINDER_DUE)
    sweep_at(FILED + timedelta(days=14))
    (reminder,) = reminders(request)
    expired = OutboundEmail.objects.get(kind="request_expired")
    context = {"site_url": "https://privacy.example", "recipient_name": "Hanako"}
    subject, text, html = email_render(kind="request_verification_reminder", language=language,
                                       context=reminder.context | context)
    assert reminder.context["code"] in text and reminder.context["code"] in html
    assert request.reference in subject
    assert ("リマインド" in subject) if language == "ja" else ("Reminder" in subject)
    subject, text, html = email_render(kind="request_expired", language=language,
                                       context=expired.context | context)
    helpdesk = "/help-desk/" if language == "ja" else "/en/help-desk/"
    assert f"https://privacy.example{helpdesk}" in text
    assert f'href="https://privacy.example{helpdesk}"' in html
    assert ("相談窓口" in text) if language == "ja" else ("help-desk form" in text)


@pytest.mark.services
def test_two_concurrent_sweeps_send_the_reminder_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locking with skip_locked needs PostgreSQL (DATABASE_URL)")
    requests = [file_web_form(email=f"guest{n}@example.jp") for n in range(8)]
    with time_machine.travel(REMINDER_DUE, tick=True):
        errors = run_at_once(deadline_sweep, threads=2)
        deadline_sweep()  # and once more after both
    assert errors == []
    for request in requests:
        assert len(reminders(request)) == 1
        assert DeadlineAlert.objects.filter(request=request, kind="verification_reminder").count() == 1
        assert RequestEvent.objects.filter(request=request, action="verification_reminder").count() == 1
