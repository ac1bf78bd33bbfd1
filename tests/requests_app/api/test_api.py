"""The requests API (DESIGN section 9): object-level permissions on every endpoint for user A,
user B, anonymous, a support agent and a privacy officer; bad input gets the one error shape."""

import json
from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from ccucaas_privacy import clock
from notifications_app.models import OutboundEmail
from requests_app.models import DataSubjectRequest, RequestEvent, Status
from tests.accounts_app.staff import api_client
from tests.requests_app.conftest import file_portal

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"type", "title", "status", "code", "detail"}


@pytest.fixture
def api():
    """A client with the user's API token, as POST /api/v1/auth/token/ (the password, and for
    staff the second factor) gave it; staff also say why they open a request (P18)."""
    def _client(user=None) -> APIClient:
        return api_client(user, access_reason="Handling the request")
    return _client


@pytest.fixture
def people(alice, bob, support_agent, privacy_officer):
    return {"alice": alice, "bob": bob, "anonymous": None, "agent": support_agent,
            "officer": privacy_officer}


@pytest.fixture
def alices_request(alice):
    return file_portal(alice, "disclosure")


def _error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= ERROR_KEYS, body
    assert body["status"] == status
    return body


# who -> expected status for the subject endpoints on alice's request
SUBJECT_MATRIX = {"alice": 200, "bob": 404, "anonymous": 401, "agent": 404, "officer": 404}


@pytest.mark.parametrize("who", SUBJECT_MATRIX)
def test_own_request_detail_is_visible_only_to_its_subject(who, people, api, alices_request):
    response = api(people[who]).get(f"/api/v1/requests/{alices_request.pk}/")
    if SUBJECT_MATRIX[who] == 200:
        assert response.status_code == 200
        assert response.json()["reference"] == alices_request.reference
        assert [e["action"] for e in response.json()["events"]] == ["receive"]
    else:
        _error(response, SUBJECT_MATRIX[who])


@pytest.mark.parametrize("who", SUBJECT_MATRIX)
def test_only_the_subject_can_withdraw_and_others_change_nothing(who, people, api, alices_request):
    response = api(people[who]).post(f"/api/v1/requests/{alices_request.pk}/withdraw/", {},
                                     format="json")
    alices_request.refresh_from_db()
    if SUBJECT_MATRIX[who] == 200:
        assert response.status_code == 200
        assert alices_request.status == Status.WITHDRAWN
    else:
        _error(response, SUBJECT_MATRIX[who])
        assert alices_request.status == Status.RECEIVED


@pytest.mark.parametrize("who", ["alice", "bob", "agent", "officer"])
def test_list_shows_only_own_requests(who, people, api, alices_request):
    response = api(people[who]).get("/api/v1/requests/")
    assert response.status_code == 200
    refs = [r["reference"] for r in response.json()["results"]]
    assert refs == ([alices_request.reference] if who == "alice" else [])


def test_anonymous_cannot_list_or_create(api):
    _error(api().get("/api/v1/requests/"), 401)
    _error(api().post("/api/v1/requests/", {"type": "disclosure"}, format="json"), 401)
    assert DataSubjectRequest.objects.count() == 0


# who -> status for (staff list/detail, verify-identity, assign/reply/reject)
STAFF_MATRIX = {
    "alice": (403, 403, 403), "bob": (403, 403, 403), "anonymous": (401, 401, 401),
    "agent": (200, 200, 403), "officer": (200, 200, 200),
}


@pytest.mark.parametrize("who", STAFF_MATRIX)
def test_staff_list_and_detail_need_the_privacy_team(who, people, api, alices_request):
    client = api(people[who])
    expected = STAFF_MATRIX[who][0]
    for url in ("/api/v1/staff/requests/", f"/api/v1/staff/requests/{alices_request.pk}/"):
        response = client.get(url)
        if expected == 200:
            assert response.status_code == 200
        else:
            _error(response, expected)


DECISIONS = [
    ("assign", "inquiry", None),
    ("reply", "disclosure", Status.REPLIED),  # completed once its package is ready
    ("reject", "deletion", Status.REJECTED),
]


@pytest.mark.parametrize("who", STAFF_MATRIX)
@pytest.mark.parametrize(("action", "type", "to_status"), DECISIONS)
def test_staff_decisions_need_a_privacy_officer_except_agents_reply(who, action, type, to_status, people, api, alice,
                                                privacy_officer):
    req = file_portal(alice, type)
    body = {"assign": {"assignee": privacy_officer.pk}, "reply": {"text": "ご回答します"},
            "reject": {"reason": "理由", "ground": "request_unclear"}}[action]
    events = RequestEvent.objects.filter(request=req).count()
    response = api(people[who]).post(f"/api/v1/staff/requests/{req.pk}/{action}/", body,
                                     format="json")
    req.refresh_from_db()
    expected = STAFF_MATRIX[who][2]
    if who == "agent" and action == "reply":
        expected = 200  # support agents send replies, as in the admin (issue 9)
    if expected == 200:
        assert response.status_code == 200, response.content
        if to_status:
            assert req.status == to_status
        else:
            assert req.assignee == privacy_officer
    else:
        _error(response, expected)
        assert req.status == Status.RECEIVED and req.assignee is None
        assert RequestEvent.objects.filter(request=req).count() == events


@pytest.mark.parametrize("who", STAFF_MATRIX)
def test_staff_verify_identity_is_for_agents_and_officers(who, people, api):
    from tests.requests_app.conftest import file_web_form

    req, _sent = file_web_form()
    response = api(people[who]).post(f"/api/v1/staff/requests/{req.pk}/verify-identity/",
                                     {"note": "電話で確認"}, format="json")
    req.refresh_from_db()
    expected = STAFF_MATRIX[who][1]
    if expected == 200:
        assert response.status_code == 200
        assert req.status == Status.RECEIVED
    else:
        _error(response, expected)
        assert req.status == Status.AWAITING_VERIFICATION


def test_staff_endpoints_answer_404_for_unknown_or_malformed_ids(api, privacy_officer):
    client = api(privacy_officer)
    _error(client.get("/api/v1/staff/requests/00000000-0000-0000-0000-000000000000/"), 404)
    _error(client.get("/api/v1/staff/requests/not-a-uuid/"), 404)
    _error(client.post("/api/v1/staff/requests/not-a-uuid/reply/", {"text": "x"}, format="json"),
           404)


def test_staff_list_filters(api, privacy_officer, alice, bob):
    from datetime import timedelta

    from ccucaas_privacy import clock

    old = file_portal(alice, "disclosure", now=clock.now() - timedelta(days=40))
    fresh = file_portal(bob, "deletion")
    client = api(privacy_officer)

    def refs(query):
        response = client.get("/api/v1/staff/requests/" + query)
        assert response.status_code == 200, response.content
        return {r["reference"] for r in response.json()["results"]}

    assert refs("?overdue=true") == {old.reference}
    assert refs("?overdue=false") == {fresh.reference}
    assert refs("?type=deletion") == {fresh.reference}
    assert refs("?status=received") == {old.reference, fresh.reference}
    assert refs("?assignee=none") == {old.reference, fresh.reference}
    client.post(f"/api/v1/staff/requests/{fresh.pk}/assign/", {"assignee": privacy_officer.pk},
                format="json")
    assert refs(f"?assignee={privacy_officer.pk}") == {fresh.reference}
    _error(client.get("/api/v1/staff/requests/?status=bogus"), 400)


def test_assigning_to_someone_outside_the_privacy_team_is_refused(api, privacy_officer, alice,
                                                                   bob, alices_request):
    body = _error(api(privacy_officer).post(f"/api/v1/staff/requests/{alices_request.pk}/assign/",
                                            {"assignee": bob.pk}, format="json"), 400)
    assert "assignee" in body["errors"]
    alices_request.refresh_from_db()
    assert alices_request.assignee is None


# --- filing through the API -------------------------------------------------------------

def test_filing_a_disclosure_request(api, alice):
    response = api(alice).post("/api/v1/requests/", {"type": "disclosure", "details": {}},
                               format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and body["channel"] == "portal"
    assert body["reference"].startswith("DSR-")
    assert OutboundEmail.objects.filter(kind="request_received", user=alice).count() == 1


def test_japanese_and_emoji_are_kept_exactly_and_markup_is_stored_as_text(api, alice, client):
    message = "<script>alert('x')</script> 個人情報の利用目的を教えてください 🙇‍♀️🍣\n改行も"
    response = api(alice).post("/api/v1/requests/", {"type": "inquiry", "details": {
        "subject": "質問 <b>太字</b> 😀", "message": message}}, format="json")
    assert response.status_code == 201, response.content
    req = DataSubjectRequest.objects.get(pk=response.json()["id"])
    assert req.details == {"subject": "質問 <b>太字</b> 😀", "message": message}
    assert api(alice).get(f"/api/v1/requests/{req.pk}/").json()["details"]["message"] == message
    client.force_login(alice)
    html = client.get(f"/requests/{req.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 個人情報の利用目的を教えてください 🙇‍♀️🍣" in html


@pytest.mark.parametrize(("body", "field"), [
    ({"type": "opinion", "details": {}}, "type"),
    ({"details": {}}, "type"),
    ({"type": "inquiry", "details": {}}, "details"),
    ({"type": "inquiry", "details": {"subject": "件名", "message": "x" * 5001}}, "details"),
    ({"type": "inquiry", "details": {"subject": "件名", "message": "本文", "extra": 1}}, "details"),
    ({"type": "inquiry", "details": "just text"}, "details"),
    ({"type": "correction", "details": {"items": []}}, "details"),
    ({"type": "correction", "details": {"items": [{"field": "password", "requested_value": "x"}]}},
     "details"),
    ({"type": "correction", "details": {"items": [{"field": "shoe_size", "requested_value": "27"}]}},
     "details"),
    ({"type": "correction", "details": {"items": [{"field": "first_name"}]}}, "details"),
    ({"type": "disclosure", "details": {"note": ["not", "text"]}}, "details"),
])
def test_bad_input_is_a_400_with_the_field_named_and_nothing_filed(api, alice, body, field):
    response = api(alice).post("/api/v1/requests/", body, format="json")
    error = _error(response, 400)
    assert field in error["errors"], error
    assert DataSubjectRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_correction_records_the_real_current_value(api, alice):
    response = api(alice).post("/api/v1/requests/", {"type": "correction", "details": {"items": [
        {"field": "email", "current_value": "made-up@example.jp",
         "requested_value": "alice.new@example.jp", "reason": "引っ越し"}]}}, format="json")
    assert response.status_code == 201, response.content
    (item,) = response.json()["details"]["items"]
    assert item == {"field": "email", "current_value": "alice@example.jp",
                    "requested_value": "alice.new@example.jp", "reason": "引っ越し"}


def test_malformed_json_is_a_400_in_the_error_shape(api, alice):
    response = api(alice).generic("POST", "/api/v1/requests/", "{not json",
                                  content_type="application/json")
    _error(response, 400)


def test_an_open_request_of_the_same_type_is_pointed_out_not_duplicated(api, alice):
    first = api(alice).post("/api/v1/requests/", {"type": "deletion"}, format="json").json()
    response = api(alice).post("/api/v1/requests/", {"type": "deletion"}, format="json")
    body = _error(response, 409)
    assert body["code"] == "duplicate_request"
    assert body["errors"]["duplicate"][0]["id"] == first["id"]
    assert body["errors"]["duplicate"][0]["reference"] == first["reference"]
    assert DataSubjectRequest.objects.filter(type="deletion").count() == 1
    other_type = api(alice).post("/api/v1/requests/", {"type": "disclosure"}, format="json")
    assert other_type.status_code == 201


def test_withdrawal_after_the_reply_is_a_409_and_changes_nothing(api, alice, privacy_officer):
    req = file_portal(alice, "deletion")
    api(privacy_officer).post(f"/api/v1/staff/requests/{req.pk}/reply/", {"text": "削除します"},
                              format="json")
    events = RequestEvent.objects.filter(request=req).count()
    body = _error(api(alice).post(f"/api/v1/requests/{req.pk}/withdraw/", {}, format="json"), 409)
    assert body["code"] == "illegal_transition"
    req.refresh_from_db()
    assert req.status == Status.REPLIED
    assert RequestEvent.objects.filter(request=req).count() == events


def test_reply_records_text_and_attachments_to_show_again(api, alice, privacy_officer):
    req = file_portal(alice, "disclosure")
    text = "開示いたします。\n<b>ご確認ください</b> 📦"
    response = api(privacy_officer).post(f"/api/v1/staff/requests/{req.pk}/reply/", {
        "text": text, "attachments": [{"name": "data.zip", "description": "全データ"}]},
        format="json")
    assert response.status_code == 200, response.content
    body = api(alice).get(f"/api/v1/requests/{req.pk}/").json()
    assert body["reply_text"] == text
    assert body["reply_attachments"] == [{"name": "data.zip", "description": "全データ"}]
    assert body["status"] == "replied"  # completed once the package is ready (issue 19)


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "ok", "attachments": "x"},
                                  {"text": "ok", "attachments": [{"description": "no name"}]}])
def test_reply_bad_input_is_a_400(api, alice, privacy_officer, body):
    req = file_portal(alice, "disclosure")
    _error(api(privacy_officer).post(f"/api/v1/staff/requests/{req.pk}/reply/", body,
                                     format="json"), 400)
    req.refresh_from_db()
    assert req.status == Status.RECEIVED


def test_reject_needs_a_reason_the_user_sees(api, alice, privacy_officer):
    req = file_portal(alice, "disclosure")
    _error(api(privacy_officer).post(f"/api/v1/staff/requests/{req.pk}/reject/", {"reason": ""},
                                     format="json"), 400)
    response = api(privacy_officer).post(f"/api/v1/staff/requests/{req.pk}/reject/",
                                         {"reason": "ご本人確認ができませんでした",
                                          "ground": "identity_not_established"}, format="json")
    assert response.status_code == 200
    assert api(alice).get(f"/api/v1/requests/{req.pk}/").json()["rejection_reason"] == \
        "ご本人確認ができませんでした"


def test_error_bodies_are_json(api, alice):
    response = api(alice).get("/api/v1/requests/00000000-0000-0000-0000-000000000000/")
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


# --- the password again for disclosure and deletion (issue 6) --------------------------------

PASSWORD = "correct-horse-battery-42"  # make_user's


@pytest.mark.parametrize("type", ["disclosure", "deletion"])
def test_disclosure_and_deletion_need_the_password_proven_recently(type, api, alice):
    client = api(alice)  # the token exchange proved the password now
    with time_machine.travel(clock.now() + timedelta(minutes=16), tick=False):
        error = _error(client.post("/api/v1/requests/", {"type": type}, format="json"), 403)
        assert error["code"] == "reauthentication_required"
        assert "password" in error["detail"]
        assert DataSubjectRequest.objects.count() == 0 and OutboundEmail.objects.count() == 0

        wrong = _error(client.post("/api/v1/requests/", {"type": type, "password": "guess"},
                                   format="json"), 400)
        assert wrong["code"] == "invalid_password" and "password" in wrong["errors"]
        assert DataSubjectRequest.objects.count() == 0

        response = client.post("/api/v1/requests/", {"type": type, "password": PASSWORD},
                               format="json")
        assert response.status_code == 201, response.content
        assert "password" not in response.json()


@pytest.mark.parametrize("type", ["disclosure", "deletion"])
def test_a_fresh_token_exchange_counts_as_the_password_again(type, alice):
    client = APIClient()
    later = clock.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        token = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD},
                            format="json").json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/api/v1/requests/", {"type": type}, format="json")
    assert response.status_code == 201, response.content


def test_corrections_and_inquiries_do_not_ask_for_the_password_again(api, alice):
    client = api(alice)
    with time_machine.travel(clock.now() + timedelta(days=3), tick=False):
        assert client.post("/api/v1/requests/", {"type": "correction", "details": {"items": [
            {"field": "first_name", "requested_value": "花子"}]}}, format="json").status_code == 201
        assert client.post("/api/v1/requests/", {"type": "inquiry", "details": {
            "subject": "件名", "message": "本文"}}, format="json").status_code == 201
