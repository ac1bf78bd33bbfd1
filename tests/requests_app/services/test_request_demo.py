"""`seed_demo` gives requests in every status, some due soon and one overdue; twice is harmless."""

import io

import pytest

from ccucaas_privacy import clock
from requests_app import demo
from requests_app.models import DataSubjectRequest, Status
from requests_app.selectors import requests as selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]


def test_demo_requests_cover_every_status_and_are_idempotent():
    from accounts_app import demo as accounts_demo
    from consent_app import demo as consent_demo

    consent_demo.seed(io.StringIO())
    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    count = DataSubjectRequest.objects.count()
    demo.seed(io.StringIO())
    assert DataSubjectRequest.objects.count() == count
    assert set(DataSubjectRequest.objects.values_list("status", flat=True)) == set(Status.values)
    overdue = [r for r in DataSubjectRequest.objects.all() if selectors.request_is_overdue(r)]
    assert len(overdue) == 1
    soon = [r for r in DataSubjectRequest.objects.filter(status__in=selectors.REPLY_PENDING)
            if 0 < (r.reply_due_at - clock.now()).days <= 7]
    assert len(soon) >= 2
    for r in DataSubjectRequest.objects.all():
        assert r.events.filter(action="receive").exists()
