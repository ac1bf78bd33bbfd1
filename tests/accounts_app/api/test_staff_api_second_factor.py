"""Issue 17 rows 1 and 6, repeated over real HTTP (pytest-django's live_server, `requests`):
the staff API needs the second factor, tokens expire, the staff list shows no personal data and
the detail needs a reason and is logged (P18)."""

from datetime import timedelta

import pytest
import requests
from django.test import Client

from accounts_app.models import ApiToken, StaffAccess
from ccucaas_privacy import clock
from requests_app.models import RequestEvent, Status
from tests.accounts_app.conftest import PASSWORD
from tests.accounts_app.staff import privacy_officer_make, recovery_code, staff_device, totp_code
from tests.requests_app.conftest import file_portal

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.rule("P18")]

PERSONAL = ("subject_email", "subject_username", "subject_display", "details", "reply_text",
            "events", "language")


@pytest.fixture
def po(make_user):
    user = privacy_officer_make(make_user)
    staff_device(user)
    return user


def _token(live_server, username, **extra) -> requests.Response:
    return requests.post(f"{live_server.url}/api/v1/auth/token/", timeout=30,
                         json={"username": username, "password": PASSWORD, **extra})


def test_row1_staff_password_only_token_is_refused_and_the_staff_api_stays_shut(
        live_server, po, alice):
    req = file_portal(alice, "disclosure")
    events = RequestEvent.objects.filter(request=req).count()
    response = _token(live_server, "po")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "second_factor_required" and body["status"] == 403
    assert {"type", "title", "detail"} <= set(body)
    assert not ApiToken.objects.filter(user=po).exists()
    wrong = _token(live_server, "po", otp="000000")
    assert wrong.status_code == 403 and wrong.json()["code"] == "second_factor_invalid"
    assert not ApiToken.objects.filter(user=po).exists()
    # What the attacker then tried, with no token: nothing listed, nothing replied.
    assert requests.get(f"{live_server.url}/api/v1/staff/requests/", timeout=30).status_code == 401
    reply = requests.post(f"{live_server.url}/api/v1/staff/requests/{req.pk}/reply/",
                          json={"text": "x"}, timeout=30)
    assert reply.status_code == 401
    req.refresh_from_db()
    assert req.status == Status.RECEIVED
    assert RequestEvent.objects.filter(request=req).count() == events


def test_row1_a_password_only_portal_session_of_staff_is_refused_on_the_staff_api(
        live_server, po, alice):
    req = file_portal(alice, "disclosure")
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/en/sign-in/", timeout=30)
    assert page.status_code == 200
    signed_in = browser.post(f"{live_server.url}/en/sign-in/", timeout=30, allow_redirects=False,
                             data={"username": "po", "password": PASSWORD,
                                   "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                             headers={"Referer": f"{live_server.url}/en/sign-in/"})
    assert signed_in.status_code == 302
    for url in ("/api/v1/staff/requests/", f"/api/v1/staff/requests/{req.pk}/",
                "/api/v1/staff/campaigns/"):
        response = browser.get(live_server.url + url, timeout=30,
                               headers={"X-Access-Reason": "curious"})
        assert response.status_code == 403, (url, response.text)
        assert response.json()["code"] == "second_factor_required"
    assert not StaffAccess.objects.exists()


def test_row1_an_otp_verified_session_is_accepted(po, alice, staff_sign_in):
    client = staff_sign_in(Client(), po)
    assert client.get("/api/v1/staff/requests/").status_code == 200


def test_row1_the_second_factor_gives_a_staff_token_that_expires_after_8_hours(
        live_server, po, alice, settings):
    device = po.totpdevice_set.get()
    code = totp_code(device, at=clock.now().timestamp() + device.step)
    response = _token(live_server, "po", otp=code)
    assert response.status_code == 200, response.text
    key = response.json()["token"]
    token = ApiToken.objects.get(user=po)
    assert token.second_factor and key not in (token.digest, token.token_key)  # only a digest
    assert abs(token.expiry - clock.now() - timedelta(hours=settings.STAFF_TOKEN_TTL_HOURS)) \
        < timedelta(minutes=1)
    headers = {"Authorization": f"Token {key}"}
    listed = requests.get(f"{live_server.url}/api/v1/staff/requests/", headers=headers,
                          timeout=30)
    assert listed.status_code == 200
    # A recovery code works once.
    code = recovery_code(po)
    assert _token(live_server, "po", otp=code).status_code == 200
    assert _token(live_server, "po", otp=code).json()["code"] == "second_factor_invalid"
    # Past its expiry the token is refused (knox deletes it).
    ApiToken.objects.filter(user=po).update(expiry=clock.now() - timedelta(seconds=1))
    expired = requests.get(f"{live_server.url}/api/v1/staff/requests/", headers=headers,
                           timeout=30)
    assert expired.status_code == 401


def test_user_tokens_expire_after_30_days_and_one_device_can_be_revoked(
        live_server, alice, settings):
    first, second = (_token(live_server, "alice").json()["token"] for _ in range(2))
    expiries = set(ApiToken.objects.filter(user=alice).values_list("expiry", flat=True))
    assert all(abs(e - clock.now() - timedelta(days=settings.USER_TOKEN_TTL_DAYS))
               < timedelta(minutes=1) for e in expiries)
    revoked = requests.post(f"{live_server.url}/api/v1/auth/token/revoke/", timeout=30,
                            headers={"Authorization": f"Token {first}"})
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    me = f"{live_server.url}/api/v1/accounts/me/"
    assert requests.get(me, headers={"Authorization": f"Token {first}"},
                        timeout=30).status_code == 401
    assert requests.get(me, headers={"Authorization": f"Token {second}"},
                        timeout=30).status_code == 200


def test_row6_p18_staff_list_shows_no_personal_data_and_the_detail_needs_a_logged_reason(
        live_server, po, alice):
    req = file_portal(alice, "disclosure")
    key = _token(live_server, "po", otp=recovery_code(po)).json()["token"]
    headers = {"Authorization": f"Token {key}"}
    listed = requests.get(f"{live_server.url}/api/v1/staff/requests/", headers=headers,
                          timeout=30)
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["reference"] == req.reference and "badge" in row and "assignee" in row
    assert not set(PERSONAL) & set(row)
    assert alice.email not in listed.text and "alice" not in listed.text
    url = f"{live_server.url}/api/v1/staff/requests/{req.pk}/"
    refused = requests.get(url, headers=headers, timeout=30)
    assert refused.status_code == 400 and refused.json()["code"] == "access_reason_required"
    assert alice.email not in refused.text
    assert not StaffAccess.objects.exists()
    shown = requests.get(url, headers={**headers, "X-Access-Reason": "Returning a phone call"}, timeout=30)
    assert shown.status_code == 200 and shown.json()["subject_email"] == alice.email
    [access] = StaffAccess.objects.all()
    assert (access.staff, access.subject, access.reason) == (po, alice, "Returning a phone call")
