"""Issue 19 item 10: the admin's second-factor page shows no sidebar, and after a wrong code
the right one either works or the page says how many seconds to wait (django-otp's throttle,
`verify_is_allowed()`), localized (the English text is in the catalogue, ngettext)."""

import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from tests.accounts_app.staff import staff_device, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]
VERIFY = "/staff/two-factor/"


@pytest.fixture
def agent(make_user):
    user = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Support agent"))
    return user


def _signed_in_password_only(agent, language="en") -> Client:
    agent.language = language  # the admin speaks the staff member's own language
    agent.save(update_fields=["language"])
    client = Client(headers={"accept-language": language})
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_second_factor_page_has_no_sidebar(agent):
    staff_device(agent)
    page = _signed_in_password_only(agent).get(VERIFY).content.decode()
    assert 'id="nav-sidebar"' not in page and "toggle-nav-sidebar" not in page
    assert 'name="token"' in page


def test_a_right_code_just_after_a_wrong_one_is_told_how_long_to_wait(agent):
    device = staff_device(agent)
    client = _signed_in_password_only(agent, "ja")
    words = "1 秒後に再入力できます"
    start = time.time()
    with time_machine.travel(start, tick=False):
        wrong = client.post(VERIFY, {"token": "000000", "next": "/admin/"})
        assert wrong.status_code == 200
        right = totp_code(device, at=start + device.step)
        refused = client.post(VERIFY, {"token": right, "next": "/admin/"})
    text = refused.content.decode()
    assert refused.status_code == 200 and words in text
    assert ("That code is not valid." not in text) and ("コードが正しくありません" not in text)
    # Once the wait is over the same kind of code is accepted.
    with time_machine.travel(start + 2, tick=False):
        accepted = client.post(VERIFY, {"token": right, "next": "/admin/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/"


def test_a_wrong_code_without_throttle_says_it_is_wrong(agent):
    staff_device(agent)
    client = _signed_in_password_only(agent, "ja")
    response = client.post(VERIFY, {"token": "000000", "next": "/admin/"})
    assert "コードが正しくありません" in response.content.decode()
