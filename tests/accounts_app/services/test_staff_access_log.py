"""P18: every staff view of a user's personal data is logged with a reason, asked once per
subject per hour; the log is append-only (ORM and PostgreSQL trigger) and read-only."""

from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts_app.models import Contact, StaffAccess, StaffAccessKind
from accounts_app.services.staff import staff_access_record
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from requests_app.models import Channel
from requests_app.services import filing as services
from tests.accounts_app.staff import privacy_officer_make
from tests.conftest import assert_append_only

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]


@pytest.fixture
def po(make_user):
    return privacy_officer_make(make_user)


@pytest.fixture
def po_client(po, staff_sign_in):
    return staff_sign_in(Client(), po)


@pytest.fixture
def alices_request(alice):
    req, _ = services.request_file(type="disclosure", channel=Channel.PORTAL, details={},
                                   subject=alice)
    return req


def _url(req) -> str:
    return f"/admin/requests_app/datasubjectrequest/{req.pk}/change/"


def test_p18_opening_a_request_asks_a_reason_then_logs_the_view(po_client, po, alice,
                                                               alices_request):
    asked = po_client.get(_url(alices_request))
    assert asked.status_code == 302 and asked["Location"].startswith("/staff/access-reason/")
    form = po_client.get(asked["Location"])
    assert "alice" in form.content.decode() and StaffAccess.objects.count() == 0
    empty = po_client.post(asked["Location"], {"reason": "  "})
    assert empty.status_code == 200 and StaffAccess.objects.count() == 0
    back = po_client.post(asked["Location"], {"reason": "開示請求の対応"})
    assert back["Location"] == _url(alices_request)
    page = po_client.get(_url(alices_request))
    assert page.status_code == 200
    assert "alice@example.jp" in page.content.decode()  # the data summary
    row = StaffAccess.objects.get()
    assert (row.staff, row.subject, row.what, row.reason, row.object_ref) == (
        po, alice, StaffAccessKind.REQUEST_DETAIL, "開示請求の対応", alices_request.reference)


def test_p18_the_reason_is_asked_again_only_after_an_hour(po_client, alices_request):
    start = clock.now()
    with time_machine.travel(start, tick=False):
        po_client.post(po_client.get(_url(alices_request))["Location"], {"reason": "対応"})
        assert po_client.get(_url(alices_request)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert po_client.get(_url(alices_request)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert po_client.get(_url(alices_request)).status_code == 302
    assert StaffAccess.objects.count() == 2  # two views; the refused one logged nothing


def test_p18_the_reason_is_per_subject(po_client, alice, bob, alices_request):
    bobs, _ = services.request_file(type="disclosure", channel=Channel.PORTAL, details={},
                                    subject=bob)
    po_client.post(po_client.get(_url(alices_request))["Location"], {"reason": "対応"})
    assert po_client.get(_url(bobs)).status_code == 302


def test_p18_contacts_and_visitor_log_pages_are_logged_per_user(po_client, alice):
    contact = Contact.objects.create(user=alice, name="Taro")
    url = f"/admin/accounts_app/contact/?user__id__exact={alice.pk}"
    po_client.post(po_client.get(url)["Location"], {"reason": "削除請求の確認"})
    assert "Taro" in po_client.get(url).content.decode()
    assert po_client.get(f"/admin/accounts_app/contact/{contact.pk}/change/").status_code == 200
    visitor = po_client.get("/admin/accounts_app/visitorlog/")
    assert visitor.status_code == 302  # the whole table is another reason
    rows = list(StaffAccess.objects.order_by("created_at", "id"))
    assert [(r.subject, r.what) for r in rows] == [(alice, StaffAccessKind.PERSONAL_DATA)] * 2
    assert rows[1].object_ref == f"accounts_app.contact:{contact.pk}"


def test_p18_staff_api_request_detail_is_logged_with_the_header_reason(po, alice, alices_request):
    from tests.accounts_app.staff import staff_api_token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_api_token(po)}")
    url = f"/api/v1/staff/requests/{alices_request.pk}/"
    assert api.get(url, HTTP_X_ACCESS_REASON="電話の折り返し").status_code == 200
    [row] = StaffAccess.objects.all()
    assert row.what == StaffAccessKind.API_REQUEST_DETAIL and row.subject == alice
    assert row.reason == "電話の折り返し"
    # Issue 17: without a reason the detail is refused (400, one error shape), nothing logged.
    refused = api.get(url)
    assert refused.status_code == 400 and refused.json()["code"] == "access_reason_required"
    assert StaffAccess.objects.count() == 1


def test_p18_staff_access_rows_cannot_be_changed_or_deleted_through_the_orm(po, alice):
    row = staff_access_record(staff=po, subject=alice, what="request_detail", reason="r")
    assert_append_only(row, update=(StaffAccess.objects.filter(pk=row.pk), {"reason": "x"}),
                       delete=StaffAccess.objects.all())


def test_p18_staff_access_record_refuses_an_empty_reason(po, alice):
    with pytest.raises(DomainError):
        staff_access_record(staff=po, subject=alice, what="request_detail", reason=" ")
    assert not StaffAccess.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_p18_postgresql_refuses_update_and_delete_of_the_access_log(po, alice):
    row = staff_access_record(staff=po, subject=alice, what="request_detail", reason="r")
    for sql in ("UPDATE accounts_app_staffaccess SET reason = 'x' WHERE id = %s",
                "DELETE FROM accounts_app_staffaccess WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert StaffAccess.objects.get(pk=row.pk).reason == "r"


def test_p18_officers_list_and_filter_the_log_read_only(po_client, po, alice, bob):
    staff_access_record(staff=po, subject=alice, what="request_detail", reason="alice の件")
    staff_access_record(staff=po, subject=bob, what="personal_data", reason="bob の件")
    url = "/admin/accounts_app/staffaccess/"
    page = po_client.get(url + "?what__exact=personal_data").content.decode()
    assert "bob の件" in page and "alice の件" not in page
    assert "alice の件" in po_client.get(url + "?q=alice").content.decode()
    row = StaffAccess.objects.first()
    assert po_client.get(url + "add/").status_code == 403
    assert po_client.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    detail = po_client.get(f"{url}{row.pk}/change/").content.decode()
    assert 'name="_save"' not in detail
