"""`make run` newcomers can open the admin: demo staff have a printed second factor."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts_app.demo import DEMO_PASSWORD, DEMO_RECOVERY_CODES

pytestmark = pytest.mark.django_db


def test_demo_officer_signs_in_to_the_admin_with_a_printed_recovery_code(capsys):
    call_command("seed_demo")
    assert "demo01-demo10" in capsys.readouterr().out
    client = Client()
    response = client.post("/admin/login/?next=/admin/",
                           {"username": "officer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302  # the second factor is still required
    response = client.post("/staff/two-factor/", {"token": DEMO_RECOVERY_CODES[0], "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_seed_demo_tops_up_used_recovery_codes():
    from django_otp.plugins.otp_static.models import StaticToken

    call_command("seed_demo")
    StaticToken.objects.filter(token="demo01").delete()  # used once, as django-otp does
    call_command("seed_demo")
    assert StaticToken.objects.filter(token="demo01").count() == 2  # officer and agent
