"""Issue 19 items 1, 2 and 8 on the admin request page: "assign to me" is its own form (never
nested in the admin's form) and works; the state machine decides which actions appear, each
with an explanation; reply and reject ask for confirmation; a correction is replied to only
once every item is decided, and the draft and the email list what was accepted and refused."""

import re

import pytest
from django.test import Client

from notifications_app.models import OutboundEmail
from requests_app.models import RequestType, Status
from tests.requests_app.conftest import file_portal

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21")]
LIST = "/admin/requests_app/datasubjectrequest/"


@pytest.fixture
def po_client(privacy_officer, staff_sign_in):
    return staff_sign_in(Client(), privacy_officer)


def _page(client, req) -> str:
    url = f"{LIST}{req.pk}/change/"
    response = client.get(url)
    if response.status_code == 302:
        client.post(response["Location"], {"reason": "対応のため"})
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _post(client, req, action, data):
    return client.post(f"{LIST}{req.pk}/act/{action}/", data, follow=True)


def _forms(page: str) -> list[str]:
    return re.findall(r"<form\b[^>]*>", page)


def test_no_action_form_is_nested_inside_the_admin_form(po_client, alice):
    page = _page(po_client, file_portal(alice, RequestType.DISCLOSURE))
    depth, deepest = 0, 0
    for tag in re.findall(r"</?form\b", page):
        depth += 1 if tag == "<form" else -1
        deepest = max(deepest, depth)
    assert deepest == 1
    assign = re.search(r'<form method="post" action="([^"]+/act/assign_me/)"', page)
    assert assign is not None


def test_assign_to_me_assigns_and_says_so_in_the_readers_language(po_client, alice,
                                                                  privacy_officer):
    req = file_portal(alice, RequestType.DISCLOSURE)
    _page(po_client, req)
    response = _post(po_client, req, "assign_me", {})
    req.refresh_from_db()
    assert response.status_code == 200 and req.assignee == privacy_officer
    assert any("割り当て" in str(m) for m in response.context["messages"])


def test_p21_only_the_actions_legal_for_type_and_status_appear_with_explanations(po_client,
                                                                                 alice, bob):
    disclosure = _page(po_client, file_portal(alice, RequestType.DISCLOSURE))
    assert "/act/deletion_approve/" not in disclosure and "/act/correction_item/" not in disclosure
    assert "/act/reply/" in disclosure and "/act/reject/" in disclosure
    assert "取り消せない" in disclosure  # the reply's explanation
    deletion = _page(po_client, file_portal(bob, RequestType.DELETION))
    assert "/act/deletion_approve/" in deletion and "/act/correction_item/" not in deletion


def test_reply_and_reject_ask_for_confirmation_first(po_client, alice):
    req = file_portal(alice, RequestType.DISCLOSURE)
    _page(po_client, req)
    asked = po_client.post(f"{LIST}{req.pk}/act/reply/", {"text": "開示します。"})
    req.refresh_from_db()
    page = asked.content.decode()
    assert asked.status_code == 200 and req.status == Status.RECEIVED
    assert "開示します。" in page and 'name="confirmed" value="yes"' in page
    _post(po_client, req, "reply", {"text": "開示します。", "confirmed": "yes"})
    req.refresh_from_db()
    assert req.status == Status.REPLIED and req.reply_text == "開示します。"


def test_p21_a_correction_cannot_be_replied_to_until_every_item_is_decided(po_client, alice):
    req = file_portal(alice, RequestType.CORRECTION, details={"items": [
        {"field": "first_name", "requested_value": "花子"},
        {"field": "last_name", "requested_value": "山田"}]})
    page = _page(po_client, req)
    assert 'id="reply-waits"' in page and 'id="reply-text"' not in page
    assert "名" in page and "first_name" not in page.split('id="request-actions"')[1]
    response = _post(po_client, req, "reply", {"text": "回答", "confirmed": "yes"})
    req.refresh_from_db()
    assert req.status == Status.RECEIVED
    assert any("決定" in str(m) for m in response.context["messages"])

    refused = _post(po_client, req, "correction_item", {"index": "1", "decision": "reject",
                                                        "note": ""})
    assert any("理由" in str(m) for m in refused.context["messages"])
    _post(po_client, req, "correction_item", {"index": "0", "decision": "accept", "note": ""})
    _post(po_client, req, "correction_item", {"index": "1", "decision": "reject",
                                              "note": "戸籍と一致しません"})
    page = _page(po_client, req)
    draft = page.split('id="reply-text"')[1].split("</textarea>")[0]
    assert "48 時間以内" in draft and "花子" in draft
    assert "山田" in draft and "戸籍と一致しません" in draft

    _post(po_client, req, "reply", {"text": draft.split(">", 1)[1], "confirmed": "yes"})
    req.refresh_from_db()
    assert req.status in (Status.REPLIED, Status.COMPLETED)
    email = OutboundEmail.objects.get(kind="request_replied")
    accepted = email.context["corrections_accepted"]
    refused_items = email.context["corrections_refused"]
    assert [i["requested_value"] for i in accepted] == ["花子"]
    assert [(i["requested_value"], i["note"]) for i in refused_items] == [("山田", "戸籍と一致しません")]


def test_p21_a_correction_with_nothing_accepted_promises_no_48_hours(po_client, alice,
                                                                     privacy_officer):
    from requests_app.services.fulfilment import correction_item_decide
    from requests_app.services.transitions import request_reply

    req = file_portal(alice, RequestType.CORRECTION)
    correction_item_decide(request=req, index=0, accept=False, note="確認できません",
                           actor=privacy_officer)
    draft = _page(po_client, req).split('id="reply-text"')[1].split("</textarea>")[0]
    assert "48" not in draft and "確認できません" in draft
    request_reply(request=req, actor=privacy_officer, text="訂正できません。")
    email = OutboundEmail.objects.filter(kind="request_replied").latest("id")
    assert email.context["effective_due_at"] == ""
    from notifications_app.rendering import email_render

    _subject, text, html = email_render(kind="request_replied", language="ja",
                                        context={**email.context, "site_url": "http://x"})
    assert "確認できません" in text and "確認できません" in html
    assert "反映" not in text.split("確認できません")[1]
