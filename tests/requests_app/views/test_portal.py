"""Portal pages of requests: file, list, detail with timeline and JST due dates, withdraw,
the public help-desk form and the verification page (DESIGN section 9)."""

import re

import pytest
import time_machine
from django.core import mail

from requests_app.models import Channel, DataSubjectRequest, Status
from tests.requests_app.conftest import T0, file_portal

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_portal_pages_need_sign_in(client):
    for url in ("/requests/", "/requests/new/", "/requests/new/disclosure/"):
        response = client.get(url)
        assert response.status_code == 302, url


def test_new_request_page_lists_the_four_types_in_japanese(signed_in):
    html = signed_in.get("/requests/new/").content.decode()
    for label in ("開示", "訂正", "削除", "苦情・相談・お問い合わせ"):
        assert label in html


@time_machine.travel(T0, tick=False)
def test_p21_disclosure_asks_for_the_password_again(signed_in, alice):
    response = signed_in.post("/requests/new/disclosure/", {"note": "全部", "password": "wrong"})
    assert response.status_code == 200
    assert DataSubjectRequest.objects.count() == 0
    response = signed_in.post("/requests/new/disclosure/", {"note": "全部", "password": PASSWORD})
    req = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{req.pk}/"
    assert (req.type, req.channel, req.status, req.subject) == ("disclosure", Channel.PORTAL,
                                                                Status.RECEIVED, alice)
    detail = signed_in.get(response["Location"]).content.decode()
    assert "2026-12-30 00:00 JST" in detail
    assert req.reference in detail


def test_deletion_also_asks_for_the_password(signed_in):
    response = signed_in.post("/requests/new/deletion/", {"note": ""})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert DataSubjectRequest.objects.count() == 0


def test_correction_form_lists_correctable_fields_with_current_values(signed_in, alice):
    alice.first_name = "有子"
    alice.save()
    html = signed_in.get("/requests/new/correction/").content.decode()
    assert "alice@example.jp" in html and "有子" in html
    response = signed_in.post("/requests/new/correction/", {"new_first_name": "亜里沙",
                                                           "reason": "改名"})
    assert response.status_code == 302
    (item,) = DataSubjectRequest.objects.get().details["items"]
    assert item == {"field": "first_name", "current_value": "有子", "requested_value": "亜里沙",
                    "reason": "改名"}


def test_correction_without_any_new_value_is_refused(signed_in):
    response = signed_in.post("/requests/new/correction/", {"reason": "x"})
    assert response.status_code == 200
    assert DataSubjectRequest.objects.count() == 0


def test_unknown_type_page_is_404(signed_in):
    assert signed_in.get("/requests/new/opinion/").status_code == 404


def test_duplicate_is_pointed_out_with_a_link(signed_in, alice):
    first = file_portal(alice, "disclosure")
    response = signed_in.post("/requests/new/disclosure/", {"note": "再送", "password": PASSWORD,
                                                           "method": "electronic"})
    assert response.status_code == 200
    assert f'href="/requests/{first.pk}/"' in response.content.decode()
    assert DataSubjectRequest.objects.count() == 1


def test_a_second_inquiry_is_never_a_duplicate(signed_in, alice):
    """Issue 19 item 5: an unrelated second inquiry is filed, not refused."""
    file_portal(alice, "inquiry")
    response = signed_in.post("/requests/new/inquiry/", {"subject": "別件", "message": "本文"})
    assert response.status_code == 302
    assert DataSubjectRequest.objects.filter(type="inquiry").count() == 2


def test_my_requests_lists_only_mine(signed_in, alice, bob):
    mine = file_portal(alice)
    theirs = file_portal(bob)
    html = signed_in.get("/requests/").content.decode()
    assert mine.reference in html and theirs.reference not in html


def test_another_users_request_page_is_404(signed_in, bob):
    theirs = file_portal(bob)
    assert signed_in.get(f"/requests/{theirs.pk}/").status_code == 404
    assert signed_in.post(f"/requests/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.RECEIVED


def test_withdraw_from_the_detail_page(signed_in, alice):
    req = file_portal(alice)
    response = signed_in.post(f"/requests/{req.pk}/withdraw/", {"reason": "不要になった"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN
    html = signed_in.get(f"/requests/{req.pk}/").content.decode()
    assert "不要になった" in html
    assert f"requests/{req.pk}/withdraw/" not in html


def test_detail_is_shown_in_english_under_en(signed_in, alice):
    req = file_portal(alice)
    html = signed_in.get(f"/en/requests/{req.pk}/").content.decode()
    assert "Reply due by" in html and "Timeline" in html


def test_helpdesk_form_files_an_unverified_web_form_request_and_the_link_verifies_it(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/help-desk/", {
            "name": "山田 太郎", "email": "taro@example.jp", "type": "inquiry",
            "subject": "ログインできません", "message": "パスワードを忘れました 😢"})
    assert response.status_code == 200
    req = DataSubjectRequest.objects.get()
    assert (req.channel, req.status, req.subject_email) == ("web_form", "awaiting_verification",
                                                            "taro@example.jp")
    (message,) = mail.outbox
    path = re.search(r"/requests/verify/[\w-]+/", message.body).group(0)
    code = re.search(r"確認コード: (\d{6})", message.body).group(1)
    assert client.get(path).status_code == 200
    response = client.post(path, {"code": "000000" if code != "000000" else "111111"})
    assert "code" in response.context["form"].errors
    response = client.post(path, {"code": code})
    assert response.status_code == 200
    req.refresh_from_db()
    assert req.status == Status.RECEIVED and req.reply_due_at is not None
    reused = client.post(path, {"code": code})
    assert reused.context["problem"].code == "verification_used"


def test_helpdesk_form_rejects_bad_input_and_files_nothing(client):
    response = client.post("/help-desk/", {"name": "x", "email": "not-an-email",
                                           "type": "disclosure"})
    assert response.status_code == 200
    response = client.post("/help-desk/", {"name": "x", "email": "x@example.jp",
                                           "type": "correction", "field": "",
                                           "requested_value": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert DataSubjectRequest.objects.count() == 0


def test_unknown_verification_link_is_a_404_page(client):
    assert client.get("/requests/verify/nonsense/").status_code == 404


def test_admin_list_and_timeline_open_for_a_privacy_officer(client, alice, privacy_officer,
                                                            staff_sign_in):
    req = file_portal(alice, "deletion")
    staff_sign_in(client, privacy_officer)
    listing = client.get("/admin/requests_app/datasubjectrequest/?deadline=7d")
    assert listing.status_code == 200 and req.reference not in listing.content.decode()
    listing = client.get("/admin/requests_app/datasubjectrequest/")
    assert listing.status_code == 200 and req.reference in listing.content.decode()
    url = f"/admin/requests_app/datasubjectrequest/{req.pk}/change/"
    client.post(client.get(url)["Location"], {"reason": "テスト"})
    change = client.get(url)
    assert change.status_code == 200
    assert client.post(f"/admin/requests_app/datasubjectrequest/{req.pk}/delete/").status_code == 403
