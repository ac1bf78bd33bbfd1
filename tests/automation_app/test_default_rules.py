"""The default rules of issue 25, each walked with frozen time through the real services."""

from datetime import timedelta

import pytest

from automation_app.models import AutomationRule, AutomationRun, Mode, RunStatus
from notifications_app.models import OutboundEmail
from requests_app.models import Channel, DisclosurePackage, Status
from requests_app.services import verification
from tests.automation_app.conftest import T0, events
from tests.requests_app.conftest import file_web_form

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21")]


def _kinds(request) -> list[str]:
    return list(OutboundEmail.objects.filter(cause__startswith=f"request:{request.pk}:")
                .order_by("id").values_list("kind", flat=True))


def test_p21_defaults_are_seeded_portal_types_automatic_everything_else_to_a_person():
    rules = {(r.request_type, r.channel): r.mode for r in AutomationRule.objects.all()}
    assert rules == {("disclosure", "portal"): Mode.AUTOMATIC,
                     ("purpose_notice", "portal"): Mode.AUTOMATIC,
                     ("deletion", "portal"): Mode.COOLING_OFF,
                     ("correction", "portal"): Mode.AUTOMATIC}


def test_p21_portal_disclosure_is_replied_automatically_with_a_ready_package(frozen, alice, file):
    request = file(alice, "disclosure")
    assert request.status in (Status.REPLIED, Status.COMPLETED)
    assert request.replied_at == T0  # the same minute it was filed: frozen time
    assert request.reply_due_at is not None  # the same deadline a person would have had
    reply = events(request, "reply")[0]
    assert reply.actor is None
    rule = AutomationRule.objects.get(request_type="disclosure", channel="portal")
    assert reply.data["actor"] == "automation" and reply.data["rule"] == rule.pk
    assert "開示" in request.reply_text or "disclosure" in request.reply_text.lower()
    assert DisclosurePackage.objects.filter(request=request).exists()
    assert {"request_received", "request_replied", "request_package_ready"} <= set(_kinds(request))
    run = AutomationRun.objects.get(request=request)
    assert run.status == RunStatus.HANDLED and run.rule == rule and run.handled_at == T0


def test_p21_automatic_reply_is_written_in_the_requesters_language(frozen, bob, file):
    request = file(bob, "disclosure")
    assert "We have received your disclosure request" in request.reply_text
    email = OutboundEmail.objects.get(cause=f"request:{request.pk}:replied")
    assert email.language == "en"


def test_p21_portal_correction_of_self_service_fields_is_accepted_and_applied(frozen, alice, file):
    request = file(alice, "correction",
                   {"items": [{"field": "first_name", "requested_value": "花子"},
                              {"field": "language", "requested_value": "en"}]})
    assert request.status in (Status.REPLIED, Status.COMPLETED)
    decisions = events(request, "correction_item_decide")
    assert [(e.data["field"], e.data["accepted"], e.data["actor"]) for e in decisions] == [
        ("first_name", True, "automation"), ("language", True, "automation")]
    assert request.effective_due_at == T0 + timedelta(hours=48)  # the propagation watch
    alice.refresh_from_db()
    assert alice.first_name == "花子"  # applied through the data sources after the reply


def test_p21_portal_deletion_waits_for_the_cooling_off_period_then_runs(frozen, alice, file,
                                                                       run):
    from automation_app.services.handling import automation_sweep

    request = file(alice, "deletion")
    row = AutomationRun.objects.get(request=request)
    assert request.status == Status.RECEIVED
    assert row.status == RunStatus.COOLING_OFF and row.run_at == T0 + timedelta(hours=24)
    assert events(request, "automation_scheduled")
    assert "automation_deletion_scheduled" in _kinds(request)
    frozen.shift(timedelta(hours=23, minutes=59))
    assert automation_sweep() == 0
    request.refresh_from_db()
    assert request.status == Status.RECEIVED
    frozen.shift(timedelta(minutes=1))
    assert run(automation_sweep) == 1
    request.refresh_from_db()
    alice.refresh_from_db()
    assert request.status in (Status.REPLIED, Status.COMPLETED)
    assert events(request, "deletion_approve")[0].data["actor"] == "automation"
    assert alice.is_active is False  # the account is closed by the same fulfilment path


@pytest.mark.parametrize("type_", ["disclosure", "deletion", "correction"])
def test_p21_help_desk_and_web_form_requests_go_to_a_person(frozen, alice, type_, run):
    details = {"items": [{"field": "first_name", "requested_value": "花子"}]} \
        if type_ == "correction" else {}
    request, _sent = run(file_web_form, email=alice.email, type=type_, details=details, now=T0)
    run(verification.request_verify_identity, request=request, actor=None, note="call-back")
    request.refresh_from_db()
    assert request.status == Status.RECEIVED
    assert not AutomationRun.objects.filter(request=request).exists()


def test_p21_portal_inquiry_goes_to_a_person(frozen, alice, file):
    request = file(alice, "inquiry", {"subject": "質問", "message": "本文"})
    assert request.status == Status.RECEIVED
    assert not AutomationRun.objects.filter(request=request).exists()


def test_p21_a_rule_set_to_a_person_stops_automatic_handling(frozen, alice, officer, file):
    from automation_app.services.staff import automation_rule_update

    rule = AutomationRule.objects.get(request_type="disclosure", channel=Channel.PORTAL)
    automation_rule_update(rule=rule, values={"mode": Mode.MANUAL}, actor=officer)
    request = file(alice, "disclosure")
    assert request.status == Status.RECEIVED
    assert not AutomationRun.objects.filter(request=request).exists()


def test_p21_the_purposes_notice_reply_lists_every_purpose_in_the_readers_language(alice):
    """The automatic reply of a portal `purpose_notice` (the default rule is automatic)."""
    from automation_app.services.handling import reply_text
    from consent_app.models import Purpose
    from requests_app.models import DataSubjectRequest

    purposes = list(Purpose.objects.all())
    assert purposes  # seeded by consent_app's migrations
    for language, field in (("ja", "name_ja"), ("en", "name_en")):
        request = DataSubjectRequest(reference="DSR-2026-000001", type="purpose_notice",
                                     language=language, subject=alice, details={})
        text = reply_text(request)
        assert all(getattr(p, field) in text for p in purposes)
    assert "利用目的" in reply_text(DataSubjectRequest(reference="R", type="purpose_notice",
                                                       language="ja", details={}))


def test_p21_portal_purposes_notice_is_answered_automatically_with_every_purpose(frozen, alice,
                                                                                 file):
    from consent_app.models import Purpose

    request = file(alice, "purpose_notice", {})
    assert request.status in (Status.REPLIED, Status.COMPLETED)
    assert all(p.name_ja in request.reply_text for p in Purpose.objects.all())
    assert events(request, "reply")[0].data["actor"] == "automation"
    assert "request_replied" in _kinds(request)
