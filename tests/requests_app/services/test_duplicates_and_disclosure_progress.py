"""Issue 19 items 5 and 9: duplicates only where they mislead (one open disclosure, correction
or deletion per subject and type; inquiries never), and a disclosure completed only when its
package is ready, the timeline in the order things happened."""

import pytest
from django.db import IntegrityError, transaction

from requests_app.models import DUPLICATE_CHECKED_TYPES, DataSubjectRequest, RequestType, Status
from requests_app.services.filing import DuplicateRequestError
from requests_app.services.packages import disclosure_package_build
from requests_app.services.transitions import request_reply
from tests.requests_app.conftest import file_portal, file_web_form

pytestmark = [pytest.mark.django_db]


def test_a_second_unrelated_inquiry_is_filed_not_refused(alice):
    first = file_portal(alice, RequestType.INQUIRY, {"subject": "件名1", "message": "本文1"})
    second = file_portal(alice, RequestType.INQUIRY, {"subject": "件名2", "message": "本文2"})
    assert first.pk != second.pk
    assert DataSubjectRequest.objects.filter(subject=alice, type="inquiry").count() == 2


def test_a_second_web_form_inquiry_from_one_address_is_filed():
    file_web_form(email="guest@example.org", type=RequestType.INQUIRY)
    file_web_form(email="GUEST@example.org", type=RequestType.INQUIRY)
    assert DataSubjectRequest.objects.filter(type="inquiry").count() == 2


@pytest.mark.parametrize("type", ["disclosure", "correction", "deletion"])
def test_p21_a_second_open_request_of_a_checked_type_is_a_duplicate(alice, type):
    file_portal(alice, type)
    with pytest.raises(DuplicateRequestError):
        file_portal(alice, type)


def test_the_database_refuses_a_duplicate_of_a_checked_type_but_not_of_an_inquiry(alice):
    first = file_portal(alice, RequestType.DELETION)
    copy = DataSubjectRequest.objects.get(pk=first.pk)
    copy.pk, copy.reference = None, "DSR-2026-999999"
    with pytest.raises(IntegrityError), transaction.atomic():
        DataSubjectRequest.objects.create(**{f.attname: getattr(copy, f.attname)
                                             for f in DataSubjectRequest._meta.concrete_fields
                                             if f.attname != "id"})
    assert set(DUPLICATE_CHECKED_TYPES) >= {"disclosure", "correction", "deletion"}
    assert "inquiry" not in DUPLICATE_CHECKED_TYPES


def test_a_disclosure_stays_replied_while_the_package_is_prepared(alice, privacy_officer,
                                                                  file_dirs):
    req = file_portal(alice, RequestType.DISCLOSURE)
    req = request_reply(request=req, actor=privacy_officer, text="開示します。")
    assert req.status == Status.REPLIED and req.completed_at is None
    disclosure_package_build(request=req)
    req.refresh_from_db()
    assert req.status == Status.COMPLETED and req.completed_at is not None
    actions = list(req.events.order_by("created_at", "id").values_list("action", flat=True))
    assert actions[-3:] == ["reply", "package_built", "complete"]
