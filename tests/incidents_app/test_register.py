"""The incident register (issue 22; APPI-26): the four reportable cases of PPC rules Art. 7,
the 1,000-person threshold, bad input refused with nothing changed, the append-only timeline."""

from datetime import timedelta

import pytest
import time_machine

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.evidence import AppendOnlyError
from incidents_app import services
from incidents_app.models import Incident, IncidentEvent
from tests.incidents_app.conftest import NOTICE, T0, record

pytestmark = [pytest.mark.django_db, pytest.mark.rule("APPI-26")]


@pytest.mark.parametrize(("flags", "reportable"), [
    ({}, False),
    ({"special_care": True}, True),
    ({"financial_harm": True}, True),
    ({"unlawful_intent": True}, True),
    ({"affected_count": 1000}, False),
    ({"affected_count": 1001}, True),
    ({"special_care": True, "mitigated": True, "mitigation_note": "AES-256 で暗号化"}, False),
])
def test_appi26_reportable_when_any_of_the_four_cases_holds(privacy_officer, flags, reportable):
    incident = record(privacy_officer, **flags)
    assert incident.reportable is reportable
    assert incident.next_check_at is not None if reportable else incident.next_check_at is None


def test_appi26_linked_users_count_toward_the_threshold(privacy_officer, make_user):
    users = [make_user(f"u{n}") for n in range(3)]
    incident = record(privacy_officer, affected_users=users, affected_count=1)
    assert incident.people_count == 3
    incident = services.incident_update(incident=incident, changes={"affected_count": 1001},
                                        actor=privacy_officer, now=T0)
    assert incident.reportable and incident.exceeds_threshold


def test_appi26_deadlines_come_from_the_clock_and_follow_unlawful_intent(privacy_officer):
    incident = record(privacy_officer, financial_harm=True)
    assert incident.preliminary_due_at == clock.leak_preliminary_due_at(incident.known_at)
    assert incident.final_due_at == clock.leak_final_due_at(incident.known_at, malicious=False)
    incident = services.incident_update(incident=incident, changes={"unlawful_intent": True},
                                        actor=privacy_officer, now=T0)
    assert incident.final_due_at == clock.leak_final_due_at(incident.known_at, malicious=True)
    assert incident.events.last().data["changed"] == ["unlawful_intent"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"known_at": T0 + timedelta(seconds=1)}, "known_at"),
    ({"data_items": []}, "data_items"),
    ({"data_items": ["  "]}, "data_items"),
    ({"data_categories": ["no_such_category"]}, "data_categories"),
    ({"title": ""}, "title"),
])
def test_appi26_bad_input_is_refused_and_nothing_is_recorded(privacy_officer, fields, field):
    with pytest.raises(DomainError) as refused:
        record(privacy_officer, **fields)
    assert field in refused.value.details
    assert Incident.objects.count() == 0 and IncidentEvent.objects.count() == 0


def test_appi26_report_without_the_required_items_is_refused_and_unchanged(privacy_officer):
    incident = record(privacy_officer, special_care=True)
    services.incident_report_save(incident=incident, stage="preliminary",
                                  items={"summary": "概要"}, actor=privacy_officer, now=T0)
    with pytest.raises(DomainError) as refused:
        services.incident_report_submit(incident=incident, stage="preliminary",
                                        actor=privacy_officer, now=T0)
    assert refused.value.code == "report_incomplete"
    assert set(refused.value.details) == {"people_count"}  # data items were prefilled
    incident.refresh_from_db()
    assert incident.preliminary_submitted_at is None
    assert incident.reports.get().submitted_at is None


def test_appi26_final_report_needs_every_item_and_the_preliminary_first(privacy_officer):
    incident = record(privacy_officer, special_care=True)
    with pytest.raises(ConflictError):
        services.incident_report_submit(incident=incident, stage="final", actor=privacy_officer,
                                        now=T0)
    services.incident_report_save(incident=incident, stage="preliminary", actor=privacy_officer,
                                  items={"summary": "概要", "people_count": "12"}, now=T0)
    services.incident_report_submit(incident=incident, stage="preliminary",
                                    actor=privacy_officer, now=T0)
    services.incident_report_save(incident=incident, stage="final", actor=privacy_officer,
                                  items={"summary": "概要", "people_count": "12"}, now=T0)
    with pytest.raises(DomainError) as refused:
        services.incident_report_submit(incident=incident, stage="final",
                                        actor=privacy_officer, now=T0)
    assert set(refused.value.details) == {"cause", "secondary_harm", "subject_response",
                                          "publication", "prevention", "other"}


def test_appi26_submitted_report_is_frozen(privacy_officer):
    incident = record(privacy_officer, special_care=True)
    services.incident_report_save_and_submit(
        incident=incident, stage="preliminary", actor=privacy_officer, now=T0,
        items={"summary": "概要", "people_count": "12"})
    with pytest.raises(ConflictError):
        services.incident_report_save(incident=incident, stage="preliminary",
                                      items={"summary": "changed"}, actor=privacy_officer)
    assert incident.reports.get().summary == "概要"


def test_appi26_notice_campaign_without_affected_people_is_refused(privacy_officer):
    incident = record(privacy_officer, affected_count=50, special_care=True)
    with pytest.raises(DomainError) as refused:
        services.incident_notice_start(incident=incident, notice=NOTICE, actor=privacy_officer)
    assert refused.value.code == "no_affected_people"
    incident.refresh_from_db()
    assert incident.notice_campaign_id is None and incident.notice == {}


def test_p18_incident_timeline_is_append_only(privacy_officer):
    event = record(privacy_officer).events.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        IncidentEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_appi26_known_at_in_the_future_of_the_frozen_clock_is_refused(privacy_officer):
    with time_machine.travel(T0, tick=False), pytest.raises(DomainError):
        services.incident_create(title="t", known_at=T0 + timedelta(minutes=1), reported_by="r",
                                 description="d", data_items=["email"], actor=privacy_officer)
