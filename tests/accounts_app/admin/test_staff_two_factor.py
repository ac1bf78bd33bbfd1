"""Staff sign in to the admin with a second factor: TOTP enrolment on first sign-in, codes,
recovery codes (issue 9; RULES.md P18)."""

import re
import time

import pytest
import time_machine
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts_app.staff import staff_device, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def agent(make_user):
    user = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Support agent"))
    return user


def _password_sign_in(client, username="agent"):
    response = client.post("/admin/login/?next=/admin/",
                           {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_p18_first_staff_sign_in_enrols_an_authenticator_before_the_admin_opens(client, agent):
    _password_sign_in(client)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/two-factor/setup/")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert len(secret) >= 32
    wrong = client.post("/staff/two-factor/setup/", {"token": "000000", "next": "/admin/"})
    assert "errorlist" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    done = client.post("/staff/two-factor/setup/", {"token": totp_code(device), "next": "/admin/"})
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=agent).confirmed
    assert client.get("/admin/").status_code == 200


def test_p18_a_signed_in_staff_member_with_a_device_must_enter_a_code(client, agent):
    device = staff_device(agent)
    _password_sign_in(client)
    response = client.get("/admin/requests_app/datasubjectrequest/")
    assert response["Location"].startswith("/staff/two-factor/?next=")
    bad = client.post("/staff/two-factor/", {"token": "123456", "next": "/admin/"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert client.get("/admin/").status_code == 302
    # django-otp throttles after a wrong code (1 s, doubling): the right code a moment later.
    with time_machine.travel(time.time() + 5, tick=False):
        ok = client.post("/staff/two-factor/", {"token": totp_code(device, at=time.time() + 30),
                                                "next": "/admin/requests_app/datasubjectrequest/"})
        assert ok["Location"] == "/admin/requests_app/datasubjectrequest/"
        assert client.get("/admin/requests_app/datasubjectrequest/").status_code == 200


def test_p18_a_recovery_code_works_once_instead_of_the_phone(client, make_user, agent):
    staff_device(agent)
    token = StaticToken.objects.filter(device__user=agent).first().token
    _password_sign_in(client)
    assert client.post("/staff/two-factor/", {"token": token, "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    other = type(client)()
    _password_sign_in(other)
    again = other.post("/staff/two-factor/", {"token": token, "next": "/admin/"})
    assert again.status_code == 200 and other.get("/admin/").status_code == 302


def test_p18_a_session_login_alone_never_opens_the_admin(client, agent):
    client.force_login(agent)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts_app/staffaccess/").status_code == 302


def test_the_second_step_page_refuses_an_off_site_next_url(client, agent):
    device = staff_device(agent)
    client.force_login(agent)
    response = client.post("/staff/two-factor/", {
        "token": totp_code(device, at=time.time() + 30), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_non_staff_users_are_sent_to_the_admin_sign_in(client, alice):
    client.force_login(alice)
    assert client.get("/staff/two-factor/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
