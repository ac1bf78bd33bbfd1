"""The cooling-off deletion (issue 25): the owner can cancel it from the portal request page until
it runs; nobody else can; once it ran it cannot be cancelled."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from automation_app.models import AutomationRun, RunStatus
from automation_app.services.handling import automation_sweep
from requests_app.models import Status
from tests.automation_app.conftest import events

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21")]


def _cancel_url(request) -> str:
    return reverse("automation:deletion_cancel", kwargs={"pk": request.pk})


def test_another_user_cannot_cancel_someone_elses_deletion(frozen, alice, bob, file, client):
    request = file(alice, "deletion")
    client.force_login(bob)
    assert client.post(_cancel_url(request)).status_code == 404
    assert AutomationRun.objects.get(request=request).status == RunStatus.COOLING_OFF


def test_anonymous_is_sent_to_sign_in_and_get_is_refused(frozen, alice, file, client):
    request = file(alice, "deletion")
    response = client.post(_cancel_url(request))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    client.force_login(alice)
    assert client.get(_cancel_url(request)).status_code == 405
    assert AutomationRun.objects.get(request=request).status == RunStatus.COOLING_OFF


def test_p21_the_request_page_shows_when_the_deletion_runs_and_the_cancel_button(
        frozen, alice, file, client):
    request = file(alice, "deletion")
    client.force_login(alice)
    page = client.get(reverse("requests:detail", kwargs={"pk": request.pk})).content.decode()
    assert 'id="cancel-deletion"' in page and _cancel_url(request) in page
    assert "自動削除" in page  # the portal's default language
    assert "自動削除を予定" in page  # the timeline says it with a label, not a code
    assert "2026-11-30 10:00" in page  # 24 hours after 2026-11-29 10:00 JST


def test_p21_the_owner_cancels_the_deletion_and_it_never_runs(frozen, alice, file, client, run):
    request = file(alice, "deletion")
    client.force_login(alice)
    response = client.post(_cancel_url(request))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    assert AutomationRun.objects.get(request=request).status == RunStatus.CANCELLED
    frozen.shift(timedelta(hours=48))
    assert run(automation_sweep) == 0
    alice.refresh_from_db()
    assert alice.is_active
    assert not events(request, "deletion_approve") and not events(request, "reply")
    page = client.get(reverse("requests:detail", kwargs={"pk": request.pk})).content.decode()
    assert 'id="cancel-deletion"' not in page


def test_p21_withdrawing_the_request_the_usual_way_also_stops_the_deletion(frozen, alice, file,
                                                                           run):
    from requests_app.services.transitions import request_withdraw

    request = file(alice, "deletion")
    request_withdraw(request=request, actor=alice)
    frozen.shift(timedelta(hours=25))
    run(automation_sweep)
    row = AutomationRun.objects.get(request=request)
    assert row.status == RunStatus.CANCELLED and row.reasons[0]["code"] == "not_waiting"
    alice.refresh_from_db()
    assert alice.is_active


def test_p21_once_the_deletion_ran_it_can_no_longer_be_cancelled(frozen, alice, file, run):
    from automation_app.services.handling import automation_deletion_cancel
    from ccucaas_privacy.errors import ConflictError

    request = file(alice, "deletion")
    frozen.shift(timedelta(hours=24))
    assert run(automation_sweep) == 1
    with pytest.raises(ConflictError):
        automation_deletion_cancel(user=alice, request_id=request.pk)
    request.refresh_from_db()
    assert request.status in (Status.REPLIED, Status.COMPLETED)
