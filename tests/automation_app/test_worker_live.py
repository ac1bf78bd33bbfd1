"""The automatic path through a real Celery worker on Redis and PostgreSQL (marker `services`):
a portal disclosure by a user with 1,000 contacts is answered with a ready package, nobody on
staff touching it (issue 25 "Done when"; RULES P21)."""

import io
import json
import zipfile

import pytest

from accounts_app.models import Contact
from automation_app.models import AutomationRun, RunStatus
from requests_app.models import DataSubjectRequest, DisclosurePackage, Status
from requests_app.services import filing
from requests_app.services.packages import package_file_open
from tests.conftest import storage_shared_with_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.rule("P21"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONTACTS = 1000


@pytest.fixture(autouse=True)
def _shared_dirs(settings, tmp_path, monkeypatch):
    storage_shared_with_worker(settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path)
    monkeypatch.setenv("AUTOMATION_ENABLED", "true")


def test_p21_a_portal_disclosure_with_1000_contacts_is_replied_with_a_ready_package(
        live_worker, make_user):
    user = make_user("heavy", language="ja")
    Contact.objects.bulk_create(
        Contact(user=user, name=f"連絡先 {i}", email=f"c{i}@example.org",
                postal_address=f"東京都千代田区{i}", phone=f"03-0000-{i:04d}")
        for i in range(CONTACTS))
    request, _sent = filing.request_file(type="disclosure", channel="portal", details={},
                                         subject=user)
    package = wait_for(lambda: DisclosurePackage.objects.filter(request=request).first(),
                       timeout=120, what="the worker to answer and build the package")
    request = DataSubjectRequest.objects.get(pk=request.pk)
    assert request.status in (Status.REPLIED, Status.COMPLETED)
    assert request.replied_at is not None and request.reply_text
    reply = request.events.get(action="reply")
    assert reply.actor is None and reply.data["actor"] == "automation"
    assert AutomationRun.objects.get(request=request).status == RunStatus.HANDLED
    with package_file_open(package=package) as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    data = json.loads(archive.read("data.json"))
    assert len(data["categories"]["contacts"]["rows"]) == CONTACTS
    assert "automation_run" in live_worker.log()
