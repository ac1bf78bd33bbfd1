"""P23: the compliance report page (figures, server-rendered SVG charts, CSV) and the monthly
email to privacy officers through the outbox."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from notifications_app.models import OutboundEmail
from requests_app.models import RequestType
from requests_app.services import transitions as services
from requests_app.services.report import KIND, compliance_report_send
from tests.requests_app.conftest import file_portal

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P23")]
REPORT = "/admin/requests_app/datasubjectrequest/compliance/"
T = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)  # 2026-10-05 10:00 JST


@pytest.fixture
def po_client(privacy_officer, staff_sign_in):
    return staff_sign_in(Client(), privacy_officer)


@pytest.fixture
def history(alice, bob, privacy_officer):
    """October: one disclosure replied in 3 days, one deletion replied late (35 days)."""
    on_time = file_portal(alice, RequestType.DISCLOSURE, now=T)
    services.request_reply(request=on_time, actor=privacy_officer, text="回答",
                           now=T + timedelta(days=3))
    late = file_portal(bob, RequestType.DELETION, now=T)
    services.request_reply(request=late, actor=privacy_officer, text="回答",
                           now=T + timedelta(days=35))
    return on_time, late


def test_p23_report_page_shows_figures_and_three_svg_charts_without_a_cdn(po_client, history):
    page = po_client.get(REPORT).content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart"') == 3
    assert "2026-10" in page and "50%" in page  # one on time, one late
    assert "cdn" not in page.lower() and "<script src=\"http" not in page


def test_p23_csv_export_has_one_row_per_month_and_type(po_client, history):
    response = po_client.get(REPORT.replace("compliance/", "compliance.csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_type = {r["type"]: r for r in rows}
    assert by_type["disclosure"]["replied_on_time"] == "1"
    assert by_type["deletion"]["replied_late"] == "1" and by_type["deletion"]["month"] == "2026-10"


def test_p23_support_agents_do_not_see_the_report(support_agent, staff_sign_in):
    client = staff_sign_in(Client(), support_agent)
    assert client.get(REPORT).status_code == 403
    assert client.get(REPORT.replace("compliance/", "compliance.csv")).status_code == 403


def test_p23_monthly_report_is_emailed_to_each_privacy_officer_once(history, privacy_officer,
                                                                    officer):
    with time_machine.travel(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), tick=False):
        first = compliance_report_send()
        again = compliance_report_send()
    assert {e.pk for e in first} == {e.pk for e in again}
    emails = OutboundEmail.objects.filter(kind=KIND)
    assert {e.recipient_email for e in emails} == {privacy_officer.email, officer.email}
    assert emails.first().context["month"] == "2026-11"
    assert emails.first().category == "mandatory"


def test_p23_report_email_renders_in_japanese_and_english(history, privacy_officer, make_user):
    from django.contrib.auth.models import Group

    en = make_user("po_en", email="po_en@ccucaas.example", language="en", is_staff=True)
    en.groups.add(Group.objects.get(name="Privacy officer"))
    compliance_report_send(now=datetime(2026, 11, 2, tzinfo=UTC))
    from notifications_app.rendering import email_render

    rows = {row.language: row for row in OutboundEmail.objects.filter(kind=KIND)}
    for language, word in (("ja", "期限内"), ("en", "on time")):
        subject, text, html = email_render(kind=KIND, language=language,
                                           context={**rows[language].context, "site_url": "x",
                                                    "recipient_name": "po"})
        assert "2026-10" in subject and word in text and "<table" in html
