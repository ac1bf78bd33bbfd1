"""Staff triage in the admin (issue 9): the list (badge, filters, search, order, query count),
the change page's buttons (each calls its service; refusals are shown) and the help-desk form."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ccucaas_privacy import clock
from requests_app.admin_lists import deadline_badge
from requests_app.models import Channel, DataSubjectRequest, RequestType, Status
from requests_app.services import transitions as services
from tests.requests_app.conftest import file_portal, file_web_form

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21")]
LIST = "/admin/requests_app/datasubjectrequest/"
DAY = timedelta(days=1)


@pytest.fixture
def po_client(privacy_officer, staff_sign_in):
    return staff_sign_in(Client(), privacy_officer)


@pytest.fixture
def agent_client(support_agent, staff_sign_in):
    return staff_sign_in(Client(), support_agent)


def _open(client, req):
    """Open the change page, giving the P18 reason when asked."""
    url = f"{LIST}{req.pk}/change/"
    response = client.get(url)
    if response.status_code == 302:
        client.post(response["Location"], {"reason": "対応のため"})
        response = client.get(url)
    assert response.status_code == 200
    return response


def _act(client, req, action, data=None):
    """Press a button (past the confirmation page of reply and reject)."""
    response = client.post(f"{LIST}{req.pk}/act/{action}/", {"confirmed": "yes", **(data or {})},
                           follow=True)
    req.refresh_from_db()
    return [str(m) for m in response.context["messages"]]


def _badge(left: timedelta | None, *, status=Status.RECEIVED, replied=False):
    now = clock.now()
    obj = DataSubjectRequest(status=status, reply_due_at=None if left is None else now + left,
                             replied_at=now if replied else None)
    return deadline_badge(obj, now=now)


@pytest.mark.parametrize(("left", "colour"), [
    (7 * DAY + timedelta(seconds=1), "green"),
    (7 * DAY, "amber"),
    (DAY + timedelta(seconds=1), "amber"),
    (DAY, "red"),
    (timedelta(seconds=1), "red"),
    (timedelta(0), "red"),
    (-3 * DAY, "red"),
])
def test_p21_days_left_badge_colours_at_their_boundaries(left, colour):
    assert _badge(left).colour == colour


def test_p21_badge_is_grey_once_replied_and_says_overdue_when_late():
    assert _badge(2 * DAY, status=Status.REPLIED, replied=True).colour == "grey"
    assert _badge(None, status=Status.AWAITING_VERIFICATION).colour == "grey"
    assert "3" in _badge(-3 * DAY + timedelta(hours=1)).label


def _many(make_user, staff, n: int) -> None:
    for i in range(n):
        user = make_user(f"user{i}", email=f"user{i}@example.jp")
        req = file_portal(user, RequestType.DISCLOSURE, now=clock.now() - (i % 40) * DAY)
        if i % 3 == 0:
            services.request_assign(request=req, assignee=staff, actor=staff)


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)


def test_the_request_list_costs_the_same_queries_for_10_and_200_requests(
        make_user, privacy_officer, po_client):
    _many(make_user, privacy_officer, 10)
    at_10 = _list_queries(po_client)
    for i in range(10, 200):
        user = make_user(f"user{i}", email=f"user{i}@example.jp")
        req = file_portal(user, RequestType.DISCLOSURE, now=clock.now() - (i % 40) * DAY)
        if i % 3 == 0:
            services.request_assign(request=req, assignee=privacy_officer, actor=privacy_officer)
    assert _list_queries(po_client) == at_10


@pytest.fixture
def jst_morning():
    """06:00 JST: the offsets below land where their names say (deadlines end at JST midnight,
    so how far away "29.5 days ago + 30 days" is depends on the time of day)."""
    import time_machine

    with time_machine.travel(datetime(2026, 11, 29, 6, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
                             tick=False):
        yield


def _reqs_due(alice, bob, make_user):
    """Requests due in about 12 hours, 2 days, 5 days, 20 days and one overdue."""
    carol, dave = make_user("carol"), make_user("dave")
    now = clock.now()
    due = {}
    for user, days_ago, key in [(alice, 29.5, "12h"), (bob, 28, "2d"), (carol, 25, "5d"),
                                (dave, 10, "20d")]:
        due[key] = file_portal(user, now=now - timedelta(days=days_ago))
    due["overdue"] = file_portal(alice, RequestType.DELETION, now=now - timedelta(days=31))
    return due


@pytest.mark.parametrize(("query", "expected"), [
    ("deadline=overdue", {"overdue"}),
    ("deadline=1d", {"12h"}),
    ("deadline=3d", {"12h", "2d"}),
    ("deadline=7d", {"12h", "2d", "5d"}),
])
def test_p21_deadline_filters(jst_morning, po_client, alice, bob, make_user, query, expected):
    due = _reqs_due(alice, bob, make_user)
    page = po_client.get(f"{LIST}?{query}").content.decode()
    assert {k for k, r in due.items() if r.reference in page} == expected


def test_p21_the_list_shows_the_most_urgent_first(jst_morning, po_client, alice, bob, make_user):
    due = _reqs_due(alice, bob, make_user)
    page = po_client.get(LIST).content.decode()
    order = sorted(due, key=lambda k: page.index(due[k].reference))
    assert order == ["overdue", "12h", "2d", "5d", "20d"]
    assert "badge-red" in page and "badge-amber" in page and "badge-green" in page
    assert " JST" in page


def test_assignee_filter_me_and_unassigned(po_client, privacy_officer, alice, bob):
    mine, theirs = file_portal(alice), file_portal(bob)
    services.request_assign(request=mine, assignee=privacy_officer, actor=privacy_officer)
    me = po_client.get(f"{LIST}?assignee=me").content.decode()
    assert mine.reference in me and theirs.reference not in me
    none = po_client.get(f"{LIST}?assignee=none").content.decode()
    assert theirs.reference in none and mine.reference not in none


def test_status_type_channel_and_verification_filters_and_search(po_client, alice, bob):
    portal = file_portal(alice, RequestType.INQUIRY)
    web, _ = file_web_form(email="guest@example.org")
    checks = {"verification=awaiting": web, "verification=verified": portal,
              "channel__exact=web_form": web, "type__exact=inquiry": portal,
              "status__exact=received": portal, "q=guest@example.org": web,
              "q=alice": portal, f"q={portal.reference}": portal}
    for query, wanted in checks.items():
        page = po_client.get(f"{LIST}?{query}").content.decode()
        other = web if wanted is portal else portal
        assert wanted.reference in page and other.reference not in page, query


def test_every_button_calls_its_service_and_says_what_happened(po_client, privacy_officer,
                                                               alice):
    req = file_portal(alice, RequestType.DISCLOSURE)
    page = _open(po_client, req).content.decode()
    assert "Assign to me" in page or "自分に割り当て" in page
    assert _act(po_client, req, "assign_me") and req.assignee == privacy_officer
    msgs = _act(po_client, req, "start_review")
    assert req.status == Status.IN_REVIEW and req.reference in msgs[0]
    _act(po_client, req, "reply", {"text": "開示します。"})
    # A disclosure is completed once its package is ready (issue 19), not by the reply.
    assert req.status == Status.REPLIED and req.reply_text == "開示します。"
    actions = list(req.events.values_list("action", flat=True))
    assert actions == ["receive", "assign", "start_review", "reply"]


def test_an_illegal_transition_is_shown_not_swallowed(po_client, alice, privacy_officer):
    req = file_portal(alice, RequestType.DISCLOSURE)
    services.request_reply(request=req, actor=privacy_officer, text="済")
    events = req.events.count()
    msgs = _act(po_client, req, "start_review")
    assert len(msgs) == 1 and req.reference in msgs[0] and req.status == Status.REPLIED
    assert req.events.count() == events


def test_reject_needs_a_reason_and_tells_the_subject(po_client, alice):
    req = file_portal(alice, RequestType.DELETION)
    msgs = _act(po_client, req, "reject", {"reason": "  "})
    assert req.status == Status.RECEIVED and msgs
    _act(po_client, req, "reject", {"reason": "本人確認ができませんでした",
                                    "ground": "identity_not_established"})
    assert req.status == Status.REJECTED and req.rejection_reason == "本人確認ができませんでした"


def test_staff_verify_identity_of_a_help_desk_request(agent_client, support_agent):
    req, _ = file_web_form(email="guest@example.org")
    _open(agent_client, req)
    _act(agent_client, req, "verify_identity", {"note": "電話で確認"})
    assert req.status == Status.RECEIVED and req.reply_due_at is not None
    assert req.events.get(action="verify_identity").actor == support_agent


def test_reply_page_offers_the_per_type_template_in_the_subjects_language(po_client, alice, bob):
    ja = _open(po_client, file_portal(alice, RequestType.DELETION)).content.decode()
    en = _open(po_client, file_portal(bob, RequestType.DELETION)).content.decode()
    assert "削除" in ja.split('id="reply-text"')[1][:600]
    assert "deletion request" in en.split('id="reply-text"')[1][:600]


def test_fulfilment_buttons_call_the_fulfilment_services(po_client, alice, privacy_officer):
    from requests_app.models import CorrectionDecision, LegalHold

    deletion = file_portal(alice, RequestType.DELETION)
    _open(po_client, deletion)
    _act(po_client, deletion, "deletion_approve")
    assert deletion.events.filter(action="deletion_approve", actor=privacy_officer).exists()
    from ccucaas_privacy import datasources as sources

    category = sources.categories()[0]
    _act(po_client, deletion, "legal_hold_place", {"categories": [category],
                                                   "basis": "dispute", "note": "係争中"})
    hold = LegalHold.objects.get(user=alice)
    assert hold.categories == [category] and hold.placed_by == privacy_officer
    _act(po_client, deletion, "legal_hold_release", {"hold": hold.pk})
    hold.refresh_from_db()
    assert hold.released_at is not None
    msgs = _act(po_client, deletion, "legal_hold_release", {"hold": hold.pk})
    assert msgs  # already released: the refusal is shown
    correction = file_portal(alice, RequestType.CORRECTION)
    _act(po_client, correction, "correction_item", {"index": "0", "decision": "accept",
                                                    "note": "確認済み"})
    assert CorrectionDecision.objects.get(request=correction, index=0).accepted


def test_help_desk_request_recorded_with_a_past_time_of_receipt(agent_client, support_agent):
    received = clock.to_jst(clock.now() - 3 * DAY).replace(second=0, microsecond=0)
    response = agent_client.post(f"{LIST}helpdesk/", {
        "received_at": received.strftime("%Y-%m-%dT%H:%M"), "name": "山田 花子",
        "email": "hanako@example.org", "language": "ja", "type": "inquiry",
        "subject": "電話での問い合わせ", "message": "利用履歴について"})
    assert response.status_code == 302
    req = DataSubjectRequest.objects.get()
    assert (req.channel, req.status, req.received_at) == (
        Channel.HELPDESK, Status.AWAITING_VERIFICATION, received)
    assert req.events.get(action="receive").actor == support_agent


def test_help_desk_form_refuses_a_future_time_and_records_nothing(agent_client):
    future = clock.to_jst(clock.now() + DAY)
    response = agent_client.post(f"{LIST}helpdesk/", {
        "received_at": future.strftime("%Y-%m-%dT%H:%M"), "name": "A", "email": "a@example.org",
        "language": "en", "type": "disclosure", "message": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert not DataSubjectRequest.objects.exists()


def test_the_change_page_hides_buttons_the_group_does_not_allow(agent_client, alice):
    page = _open(agent_client, file_portal(alice, RequestType.DELETION)).content.decode()
    assert 'id="reply-text"' in page
    assert "/act/reject/" not in page and "/act/deletion_approve/" not in page
    assert "/act/legal_hold_place/" not in page


def test_deadline_alerts_are_listed_read_only_and_data_errors_easy_to_find(po_client):
    page = po_client.get("/admin/requests_app/deadlinealert/?kind=deadline_data_error")
    assert page.status_code == 200
    assert po_client.get("/admin/requests_app/deadlinealert/add/").status_code == 403
    assert Group.objects.filter(name="Privacy officer").exists()


def _replied_deletion(alice, staff):
    req = file_portal(alice, RequestType.DELETION)
    return services.request_reply(request=req, actor=staff, text="削除します")


def test_p21_the_list_shows_propagation_progress_and_a_manual_one_is_confirmed_by_button(
        po_client, alice, privacy_officer):
    from requests_app.models import Processor, Propagation

    req = _replied_deletion(alice, privacy_officer)
    Propagation.objects.filter(request=req).delete()  # only the rows below count here
    manual = Processor.objects.create(name="紙の台帳", purpose="other", country="JP",
                                      connector="manual")
    Propagation.objects.create(request=req, source="profile", idempotency_key="t-profile",
                               status="confirmed", confirmed_at=clock.now())
    row = Propagation.objects.create(request=req, processor=manual, idempotency_key="t-manual",
                                     status="sent")
    page = po_client.get(f"{LIST}?q={req.reference}").content.decode()
    assert "2 件中 1 件確認済み" in page
    assert "紙の台帳" in _open(po_client, req).content.decode()
    _act(po_client, req, "propagation_confirm", {"propagation": row.pk, "note": "台帳を更新"})
    row.refresh_from_db()
    assert row.status == "confirmed" and row.note == "台帳を更新"
    page = po_client.get(f"{LIST}?q={req.reference}").content.decode()
    assert "2 件中 2 件確認済み" in page
