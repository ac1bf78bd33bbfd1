"""Issue 19 item 4: compliance figures that are true. An open request past its reply deadline
counts as late in the on-time rate; the page has a period selector; the charts are labelled."""

from datetime import timedelta

import pytest
from django.test import Client

from ccucaas_privacy import clock
from requests_app.models import RequestType
from requests_app.selectors.compliance import compliance_summary
from requests_app.services import transitions as services
from tests.requests_app.conftest import file_portal

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P23")]
REPORT = "/admin/requests_app/datasubjectrequest/compliance/"
ON_TIME_AGO, OVERDUE_AGO = timedelta(days=40), timedelta(days=36)


@pytest.fixture
def po_client(privacy_officer, staff_sign_in):
    return staff_sign_in(Client(), privacy_officer)


@pytest.fixture
def one_on_time_one_overdue(alice, bob, privacy_officer):
    """A disclosure replied in 2 days, and one still open 5 days past its deadline (the pages
    are read at the real time: the staff session and its second factor live in it)."""
    now = clock.now()
    on_time = file_portal(alice, RequestType.DISCLOSURE, now=now - ON_TIME_AGO)
    services.request_reply(request=on_time, actor=privacy_officer, text="回答",
                           now=on_time.received_at + timedelta(days=2))
    overdue = file_portal(bob, RequestType.DISCLOSURE, now=now - OVERDUE_AGO)
    assert overdue.reply_due_at + timedelta(days=5) <= now
    return on_time, overdue


def test_p23_an_open_request_past_its_deadline_counts_as_late(one_on_time_one_overdue):
    totals = compliance_summary()["totals"]
    assert (totals["replied_on_time"], totals["replied_late"], totals["overdue_now"]) == (1, 0, 1)
    assert totals["late"] == 1
    assert totals["on_time_rate"] == 0.5  # not 100%: the overdue one is late already


def test_p23_an_open_request_within_its_deadline_is_not_counted_yet(alice):
    file_portal(alice, RequestType.DISCLOSURE, now=clock.now() - timedelta(days=3))
    totals = compliance_summary()["totals"]
    assert totals["overdue_now"] == 0 and totals["on_time_rate"] is None


def test_p23_the_report_page_shows_the_overdue_request_as_late(po_client, one_on_time_one_overdue):
    page = po_client.get(REPORT, {"period": "all"}).content.decode()
    totals = page.split('id="compliance-totals"')[1].split("</table>")[0]
    assert "50%" in totals and "100%" not in totals


def test_p23_the_period_selector_bounds_the_figures(po_client, one_on_time_one_overdue, alice):
    on_time, _overdue = one_on_time_one_overdue
    file_portal(alice, RequestType.CORRECTION, now=clock.now() - timedelta(minutes=5))
    day = clock.jst_date(on_time.received_at)
    month = po_client.get(REPORT, {"period": "month"})
    custom = po_client.get(REPORT, {"period": "custom", "start": day.isoformat(),
                                    "end": (day + timedelta(days=1)).isoformat()})
    everything = po_client.get(REPORT, {"period": "all"})
    bad = po_client.get(REPORT, {"period": "custom", "start": day.isoformat(),
                                 "end": (day - timedelta(days=1)).isoformat()})
    assert month.context["report"]["summary"]["totals"]["received"] == 1
    assert custom.context["report"]["summary"]["totals"]["received"] == 1
    assert custom.context["report"]["summary"]["totals"]["on_time_rate"] == 1.0
    assert everything.context["report"]["summary"]["totals"]["received"] == 3
    assert bad.status_code == 200 and bad.context["period_form"].errors
    page = month.content.decode()
    assert 'id="compliance-period"' in page and 'name="period"' in page


def test_p23_charts_have_axis_labels_a_legend_and_a_description(po_client, one_on_time_one_overdue):
    page = po_client.get(REPORT, {"period": "all"}).content.decode()
    charts = page.split('<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart"')[1:]
    assert len(charts) == 3
    for chart in charts:
        chart = chart.split("</svg>")[0]
        assert 'class="x-label"' in chart and 'class="y-label"' in chart
        assert '<g class="legend">' in chart and "<desc>" in chart
    month = clock.jst_date(one_on_time_one_overdue[0].received_at).strftime("%Y-%m")
    assert month in charts[0].split("<desc>")[1]


def test_the_report_title_carries_no_rule_number(po_client):
    page = po_client.get(REPORT).content.decode()
    assert "P23" not in page
    assert "<td>disclosure</td>" not in page
