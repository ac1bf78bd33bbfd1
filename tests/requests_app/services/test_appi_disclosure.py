"""Disclosure method (APPI Art. 33(1), (3)), refusal grounds (Art. 33(2), 36) and the notice of
purposes of use (Art. 32(2)) (issue 21): paper creates a staff task whose printable view is a
logged staff view and whose recorded mailing completes the request; a method that cannot be
used is explained in the reply; every refusal carries a ground and an explanation that reach
the person (portal and email); a partial disclosure lists what was withheld, also in the
package; the purposes notice lists each category of data with its purposes."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts_app.models import StaffAccess, StaffAccessKind
from ccucaas_privacy.errors import ConflictError, DomainError
from requests_app.models import (
    DataSubjectRequest,
    DisclosurePackage,
    PaperMailing,
    RequestEvent,
    Status,
)
from requests_app.services import filing, paper, purpose_notice, transitions
from requests_app.services.packages import package_file_open
from tests.accounts_app.staff import api_client
from tests.requests_app.services.test_appi_stop_requests import email_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]


def file(user, type="disclosure", details=None):
    request, _sent = filing.request_file(type=type, channel="portal", details=details or {},
                                         subject=user)
    return request


def snapshot(request):
    request.refresh_from_db()
    return (request.status, request.refusal_ground, request.rejection_reason,
            RequestEvent.objects.filter(request=request).count())


# --- refusal grounds ----------------------------------------------------------------------

def test_appi33_disclosure_refused_on_a_statutory_ground_reaches_the_person(alice, officer, client):
    request = file(alice)
    transitions.request_reject(request=request, actor=officer, ground="harm",
                               reason="第三者の生命を害するおそれがあるため。")
    request.refresh_from_db()
    assert (request.status, request.refusal_ground) == (Status.REJECTED, "harm")
    text = email_text(request, "request_rejected")
    assert "第三者の生命を害するおそれがあるため。" in text
    assert "本人又は第三者の生命、身体、財産その他の権利利益を害するおそれ" in text
    client.force_login(alice)
    page = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "本人又は第三者の生命、身体、財産その他の権利利益を害するおそれ" in page
    assert 'id="refusal-ground"' in page


@pytest.mark.parametrize("type, ground, reason, field", [
    ("disclosure", "", "説明", "ground"),
    ("disclosure", "grounds_not_met", "説明", "ground"),  # not a ground of Art. 33(2)
    ("disclosure", "no_such_ground", "説明", "ground"),
    ("stop_use", "harm", "説明", "ground"),  # a disclosure ground is not a reason of the list
])
def test_appi33_appi36_refusal_without_an_allowed_ground_changes_nothing(
        alice, officer, type, ground, reason, field):
    details = ({"purposes": ["marketing_email"], "grounds": ["after_leak"]}
               if type == "stop_use" else {})
    request = file(alice, type, details)
    before = snapshot(request)
    with pytest.raises(DomainError) as caught:
        transitions.request_reject(request=request, actor=officer, ground=ground, reason=reason)
    assert field in caught.value.details
    assert snapshot(request) == before


def test_appi36_other_refusal_uses_a_reason_of_the_list_in_english(make_user, officer):
    carol = make_user("carol", language="en")
    request = file(carol, "stop_provision", {"recipients": ["Acme"], "grounds": ["after_leak"]})
    transitions.request_reject(request=request, actor=officer, ground="grounds_not_met",
                               reason="No provision to Acme was ever made.")
    text = email_text(request, "request_rejected")
    assert "The legal grounds for the request are not met" in text
    assert "No provision to Acme was ever made." in text


def test_appi33_api_refusal_without_ground_is_a_400_and_nothing_changes(alice, privacy_officer):
    request = file(alice)
    before = snapshot(request)
    client = api_client(privacy_officer, access_reason="対応")
    response = client.post(f"/api/v1/staff/requests/{request.pk}/reject/",
                           {"reason": "説明"}, format="json")
    assert response.status_code == 400
    assert "ground" in response.json()["errors"]
    response = client.post(f"/api/v1/staff/requests/{request.pk}/reject/",
                           {"reason": "説明", "ground": "because"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_refusal"
    assert snapshot(request) == before


def test_appi33_partial_disclosure_lists_what_was_withheld_in_reply_portal_and_package(
        alice, officer, run, client):
    request = run(file, alice)
    withheld = [{"what": "社内調査メモ", "ground": "business_hindrance",
                 "explanation": "調査中の不正事案に関わるため。"}]
    run(transitions.request_reply, request=request, actor=officer, text="開示します。",
        withheld=withheld)
    request.refresh_from_db()
    assert request.withheld == withheld
    text = email_text(request, "request_replied")
    assert "社内調査メモ" in text and "調査中の不正事案に関わるため。" in text
    client.force_login(alice)
    page = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "社内調査メモ" in page
    package = DisclosurePackage.objects.get(request=request)
    with package_file_open(package=package) as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as zf:
        listed = json.loads(zf.read("withheld.json"))
        index = zf.read("index.html").decode()
    assert listed[0]["what"] == "社内調査メモ" and listed[0]["ground"] == "business_hindrance"
    assert "社内調査メモ" in index


@pytest.mark.parametrize("withheld", [
    [{"what": "メモ", "ground": "request_unclear", "explanation": "x"}],  # not statutory
    [{"what": "メモ", "ground": "harm", "explanation": ""}],
    [{"what": "", "ground": "harm", "explanation": "x"}],
    "メモ",
])
def test_appi33_partial_disclosure_without_ground_or_explanation_changes_nothing(
        alice, officer, withheld):
    request = file(alice)
    before = snapshot(request)
    with pytest.raises(DomainError) as caught:
        transitions.request_reply(request=request, actor=officer, text="開示します。",
                                  withheld=withheld)
    assert "withheld" in caught.value.details
    assert snapshot(request) == before


# --- disclosure method ---------------------------------------------------------------------

def test_appi33_paper_chosen_in_the_portal_becomes_a_staff_task_completed_by_the_mailing(
        alice, privacy_officer, run, client, staff_sign_in):
    from django.contrib.auth.models import Group

    client.force_login(alice)
    response = client.post(reverse("requests:new_of_type", args=["disclosure"]),
                           {"method": "paper", "password": "correct-horse-battery-42"})
    assert response.status_code == 302, response.context["form"].errors
    request = DataSubjectRequest.objects.get(subject=alice)
    assert request.details["method"] == "paper"
    run(transitions.request_reply, request=request, actor=privacy_officer, text="書面で開示します。")
    request.refresh_from_db()
    assert request.status == Status.REPLIED  # open until the mailing is recorded
    assert not DisclosurePackage.objects.filter(request=request).exists()
    mailing = PaperMailing.objects.get(request=request)
    assert "郵送" in email_text(request, "request_replied")

    staff = staff_sign_in(client, privacy_officer)
    url = reverse("admin:requests_app_papermailing_change", args=[mailing.pk])
    asked = staff.get(url)
    assert asked.status_code == 302 and "/staff/access-reason/" in asked["Location"]
    staff.post(asked["Location"], {"reason": "書面開示の印刷"})
    page = staff.get(url)
    assert page.status_code == 200
    assert alice.email in page.content.decode()  # the readable version of the package
    log = StaffAccess.objects.get(what=StaffAccessKind.PERSONAL_DATA, subject=alice)
    assert log.reason == "書面開示の印刷"

    future = staff.post(url, {"mailed_on": "2999-01-01", "tracking_number": "1234"})
    assert future.status_code == 200 and future.context["adminform"].form.errors["mailed_on"]
    request.refresh_from_db()
    assert request.status == Status.REPLIED
    done = staff.post(url, {"mailed_on": "2026-01-05", "tracking_number": "JP-1234-5678"})
    assert done.status_code == 302
    mailing.refresh_from_db()
    request.refresh_from_db()
    assert (mailing.mailed_by, mailing.tracking_number) == (privacy_officer, "JP-1234-5678")
    assert request.status == Status.COMPLETED
    assert "郵送しました" in email_text(request, "request_completed")
    assert Group  # the officer's group gives the admin permission on the task


def test_appi33_method_that_cannot_be_used_is_explained_in_the_reply(alice, officer, run):
    request = run(file, alice)
    run(paper.disclosure_method_change, request=request, actor=officer, method="paper",
        reason="ご登録のメールアドレスに大きなファイルを送れないため。")
    run(transitions.request_reply, request=request, actor=officer, text="書面で開示します。")
    request.refresh_from_db()
    assert request.method_used == "paper"
    assert PaperMailing.objects.filter(request=request).exists()
    text = email_text(request, "request_replied")
    assert "ご登録のメールアドレスに大きなファイルを送れないため。" in text
    assert "書面の交付" in text


@pytest.mark.parametrize("method, reason, field", [
    ("fax", "理由", "method"), ("paper", "", "reason"), ("electronic", "理由", "method")])
def test_appi33_bad_method_change_changes_nothing(alice, officer, method, reason, field):
    request = file(alice)
    before = snapshot(request)
    with pytest.raises(DomainError) as caught:
        paper.disclosure_method_change(request=request, actor=officer, method=method,
                                       reason=reason)
    assert field in caught.value.details
    assert snapshot(request) == before and request.method_used == ""


def test_appi33_mailing_cannot_be_recorded_twice(alice, officer, run):
    import datetime

    request = run(file, alice, "disclosure", {"method": "paper"})
    run(transitions.request_reply, request=request, actor=officer, text="書面で開示します。")
    mailing = PaperMailing.objects.get(request=request)
    paper.paper_mailing_record(mailing=mailing, actor=officer,
                               mailed_on=datetime.date(2026, 1, 5), tracking_number="")
    with pytest.raises(ConflictError):
        paper.paper_mailing_record(mailing=mailing, actor=officer,
                                   mailed_on=datetime.date(2026, 1, 5), tracking_number="")


# --- notice of the purposes of use -----------------------------------------------------------

@pytest.mark.parametrize("language, category, purpose", [
    ("ja", "称賛の声", "称賛の声の公開"), ("en", "Testimonials", "Publication of your testimonial")])
def test_appi32_purpose_notice_lists_each_category_with_its_purposes(
        make_user, officer, run, language, category, purpose):
    user = make_user("dan", language=language)
    request = run(file, user, "purpose_notice")
    run(purpose_notice.purpose_notice_reply, request=request, actor=officer)
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert not DisclosurePackage.objects.filter(request=request).exists()
    line = next(x for x in request.reply_text.splitlines() if x.startswith(f"- {category}"))
    assert purpose in line
    assert request.reply_text in email_text(request, "request_replied")
