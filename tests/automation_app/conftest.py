"""Fixtures of the automation tests: automation on (the test settings turn it off for the other
apps), requests filed through the real services with their on-commit tasks run (Celery eager),
time frozen at RULES.md's example instant."""

from datetime import UTC, datetime

import pytest
import time_machine

from requests_app.models import Channel, DataSubjectRequest
from requests_app.services import filing

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 2026-11-29 10:00 JST


@pytest.fixture(autouse=True)
def automation_on(settings, file_dirs):
    settings.AUTOMATION_ENABLED = True
    settings.AUTOMATION_DELETION_COOLING_OFF_HOURS = 24


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def file(run):
    """file(user, type, details=None, channel="portal", **kw): the request, its tasks run."""
    def _file(user, type="disclosure", details=None, channel=Channel.PORTAL, **kwargs
              ) -> DataSubjectRequest:
        if details is None:
            details = {"items": [{"field": "first_name", "requested_value": "花子"}]} \
                if type == "correction" else {}
        request, _sent = run(filing.request_file, type=type, channel=channel, details=details,
                             subject=user, **kwargs)
        return DataSubjectRequest.objects.get(pk=request.pk)
    return _file


def events(request, action: str):
    return list(request.events.filter(action=action).order_by("created_at", "id"))
