"""Representatives (代理人, APPI Art. 37(3); issue 21): a legal representative or an appointed
agent files for the person with proof of authority; staff verify both before anything is
disclosed; replies go to the representative; the person is told and can object.

Attacker's tests first: what an upload may be, how big, under what name, and who can reach it."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ccucaas_privacy.errors import DomainError
from notifications_app.models import OutboundEmail
from requests_app.models import DataSubjectRequest, RepresentativeProof, RequestEvent
from requests_app.services import representatives as services
from requests_app.services.packages import package_write
from requests_app.services.transitions import request_reply
from requests_app.services.verification import request_verify_by_code
from tests.requests_app.conftest import T0

pytestmark = [pytest.mark.django_db, pytest.mark.rule("APPI-37")]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
AGENT = {"kind": "appointed", "name": "弁護士 田中 一郎", "email": "tanaka@law.example.jp",
         "relation": "弁護士 (委任)"}


def pdf(name: str = "委任状.pdf", data: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def file_by_agent(*, email: str = "hanako@example.jp", proofs=None, agent=None, now=T0,
                  type: str = "disclosure"):
    proofs = [pdf()] if proofs is None else proofs
    representative = services.representative_clean(**(agent or AGENT), proofs=proofs)
    return services.representative_request_file(
        representative=representative, proofs=proofs, type=type, channel="web_form",
        details={}, subject_name="山田 花子", subject_email=email, language="ja", now=now)


def nothing_written() -> bool:
    return not DataSubjectRequest.objects.exists() and not RepresentativeProof.objects.exists()


# --- attacker's tests: the upload --------------------------------------------------------------

@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("委任状.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
    SimpleUploadedFile("letter.html", b"<html><script>alert(1)</script>", content_type="text/html"),
    SimpleUploadedFile("proof.svg", b"<svg onload=alert(1)>", content_type="image/png"),
    SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
], ids=["exe-named-pdf", "html", "svg-claiming-png", "empty"])
def test_appi37_a_proof_that_is_not_a_pdf_png_or_jpeg_is_refused_and_nothing_is_written(upload, file_dirs):
    with pytest.raises(DomainError) as refused:
        file_by_agent(proofs=[upload])
    assert refused.value.code == "representative_proof_type"
    assert "representative_proof" in refused.value.details
    assert nothing_written()


def test_appi37_an_oversized_proof_is_refused(settings, file_dirs):
    settings.REPRESENTATIVE_PROOF_MAX_BYTES = 1024
    with pytest.raises(DomainError) as refused:
        file_by_agent(proofs=[pdf(data=PDF + b"0" * 2000)])
    assert refused.value.code == "representative_proof_too_large"
    assert nothing_written()


@pytest.mark.parametrize("name", ["../../../../etc/cron.d/x.pdf", "..\\..\\win.ini.pdf",
                                  "/abs/path.pdf", "a\x00b\nc.pdf"])
def test_appi37_the_uploaders_file_name_never_becomes_a_path(name, file_dirs):
    request, _sent = file_by_agent(proofs=[pdf(name=name)])
    proof = RepresentativeProof.objects.get(request=request)
    assert proof.file_name.startswith(f"representatives/{request.pk}/")
    assert ".." not in proof.file_name and proof.file_name.endswith(".pdf")
    assert "/" not in proof.original_name and "\\" not in proof.original_name
    assert proof.original_name.isprintable()
    assert not list(file_dirs.parent.glob("**/cron.d"))
    with services.proof_storage().open(proof.file_name, "rb") as stored:
        assert stored.read() == PDF


def test_appi37_nobody_can_fetch_a_proof_by_url(client, bob, file_dirs):
    request, _sent = file_by_agent()
    proof = RepresentativeProof.objects.get(request=request)
    with pytest.raises(ValueError):
        services.proof_storage().url(proof.file_name)  # private: no URL exists
    client.force_login(bob)
    for path in (f"/{proof.file_name}", f"/media/{proof.file_name}", f"/static/{proof.file_name}",
                 f"/private/{proof.file_name}"):
        assert client.get(path).status_code == 404


# --- bad input ----------------------------------------------------------------------------------

def test_appi37_an_agent_request_without_proof_is_refused_with_nothing_changed(file_dirs):
    with pytest.raises(DomainError) as refused:
        file_by_agent(proofs=[])
    assert refused.value.status == 400
    assert refused.value.code == "representative_proof_required"
    assert nothing_written()


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "friend"}, "representative_kind"),
    ({"name": " "}, "representative_name"),
    ({"email": "not-an-address"}, "representative_email"),
])
def test_appi37_unknown_kind_or_missing_identity_is_a_field_error(change, field, file_dirs):
    with pytest.raises(DomainError) as refused:
        file_by_agent(agent={**AGENT, **change})
    assert refused.value.status == 400 and field in refused.value.details
    assert nothing_written()


# --- the lifecycle ------------------------------------------------------------------------------

def test_appi37_agent_request_from_filing_to_reply_with_the_principal_notified(alice, officer,
                                                                               file_dirs):
    request, _sent = file_by_agent(email=alice.email)
    assert (request.representative_kind, request.representative_status) == ("appointed", "pending")
    assert request.subject_id == alice.pk
    # The person is told, with a link to object; the verification goes to the agent.
    notice = OutboundEmail.objects.get(kind="request_principal_notice")
    assert notice.recipient_email == alice.email
    assert notice.context["objection_path"].startswith("/requests/object/")
    verification = OutboundEmail.objects.get(kind="request_verification")
    assert verification.recipient_email == AGENT["email"]
    token = verification.context["verify_path"].rstrip("/").rsplit("/", 1)[-1]
    request = request_verify_by_code(token=token, code=verification.context["code"],
                                     now=T0 + timedelta(hours=1))
    # Nothing is disclosed before staff verified the representative.
    with pytest.raises(DomainError) as refused:
        request_reply(request=request, actor=officer, text="開示します。", now=T0 + timedelta(days=1))
    assert refused.value.code == "representative_not_verified" and refused.value.status == 409
    assert DataSubjectRequest.objects.get(pk=request.pk).status == "received"
    services.representative_verify(request=request, actor=officer, note="委任状と身分証を確認",
                                   now=T0 + timedelta(days=1))
    event = RequestEvent.objects.get(request=request, action="verify_representative")
    assert event.actor == officer and event.note == "委任状と身分証を確認"
    request_reply(request=request, actor=officer, text="開示します。", now=T0 + timedelta(days=2))
    reply = OutboundEmail.objects.get(kind="request_replied")
    assert reply.recipient_email == AGENT["email"]  # replies go to the agent
    # The package lists the proof of authority.
    out = io.BytesIO()
    package_write(request=DataSubjectRequest.objects.get(pk=request.pk), user=alice, out=out,
                  now=T0 + timedelta(days=2))
    archive = zipfile.ZipFile(out)
    proof = RepresentativeProof.objects.get(request=request)
    assert proof.sha256 in archive.read("representative.json").decode()
    index = archive.read("index.html").decode()
    assert "委任状.pdf" in index and proof.sha256 in index


def test_appi37_the_package_is_refused_until_the_representative_is_verified(alice, officer,
                                                                           file_dirs):
    from requests_app.services.packages import disclosure_package_build

    request, _sent = file_by_agent(email=alice.email)
    DataSubjectRequest.objects.filter(pk=request.pk).update(replied_at=T0, status="completed")
    with pytest.raises(DomainError) as refused:
        disclosure_package_build(request=DataSubjectRequest.objects.get(pk=request.pk))
    assert refused.value.code == "representative_not_verified"


def test_appi37_the_person_objects_through_the_link_and_staff_are_alerted(client, alice, officer,
                                                                         file_dirs):
    request, _sent = file_by_agent(email=alice.email)
    services.representative_verify(request=request, actor=officer, now=T0 + timedelta(hours=2))
    path = OutboundEmail.objects.get(kind="request_principal_notice").context["objection_path"]
    page = client.get(path)
    assert page.status_code == 200 and request.reference in page.content.decode()
    done = client.post(path, {"note": "依頼していません"})
    assert done.status_code == 200
    request.refresh_from_db()
    assert request.representative_status == "objected"
    assert RequestEvent.objects.get(request=request, action="principal_objection").note == "依頼していません"
    alert = OutboundEmail.objects.get(kind="staff_principal_objection")
    assert alert.recipient_email == officer.email
    with pytest.raises(DomainError):
        request_reply(request=request, actor=officer, text="開示します。", now=T0 + timedelta(days=1))
    assert client.get("/requests/object/forged-token/").status_code == 404


def test_appi37_the_web_form_files_an_agent_request_with_its_proof(client, file_dirs):
    response = client.post("/help-desk/", {
        "name": "山田 花子", "email": "hanako@example.jp", "type": "disclosure", "message": "",
        "representative_kind": "legal", "representative_name": "山田 太郎",
        "representative_email": "taro@example.jp", "representative_relation": "父 (未成年者の親権者)",
        "representative_proof": SimpleUploadedFile("koseki.png", PNG, content_type="image/png"),
    })
    assert response.status_code == 200, response.content.decode()[:2000]
    request = DataSubjectRequest.objects.get()
    assert (request.representative_kind, request.representative_email) == ("legal", "taro@example.jp")
    assert RepresentativeProof.objects.get(request=request).content_type == "image/png"


def test_appi37_the_web_form_shows_a_bad_proof_as_a_form_error(client, file_dirs):
    response = client.post("/help-desk/", {
        "name": "山田 花子", "email": "hanako@example.jp", "type": "disclosure", "message": "",
        "representative_kind": "appointed", "representative_name": "田中",
        "representative_email": "tanaka@example.jp",
        "representative_proof": SimpleUploadedFile("x.pdf", b"#!/bin/sh\n", content_type="application/pdf"),
    })
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert nothing_written()


def test_appi37_staff_verify_the_representative_from_the_admin(client, alice, privacy_officer,
                                                              staff_sign_in, file_dirs):
    request, _sent = file_by_agent(email=alice.email)
    staff_sign_in(client, privacy_officer)
    page = client.get(f"/admin/requests_app/datasubjectrequest/{request.pk}/change/", follow=True)
    assert page.status_code == 200
    response = client.post(
        f"/admin/requests_app/datasubjectrequest/{request.pk}/act/verify_representative/",
        {"note": "委任状の原本を確認"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.representative_status == "verified"
    assert request.representative_verified_by == privacy_officer


# --- the staff API ------------------------------------------------------------------------------

def staff_api(user):
    from tests.accounts_app.staff import api_client

    return api_client(user, access_reason="Recording a help-desk request")


def test_appi37_staff_api_files_an_agent_request_with_its_proof(privacy_officer, file_dirs):
    response = staff_api(privacy_officer).post("/api/v1/staff/requests/", {
        "type": "disclosure", "subject_name": "山田 花子", "subject_email": "hanako@example.jp",
        "representative_kind": "appointed", "representative_name": "田中 一郎",
        "representative_email": "tanaka@law.example.jp", "representative_relation": "弁護士",
        "representative_proof": pdf(),
    }, format="multipart")
    assert response.status_code == 201, response.content
    request = DataSubjectRequest.objects.get(pk=response.json()["id"])
    assert request.channel == "helpdesk" and request.representative_status == "pending"
    assert "tanaka" not in response.content.decode()  # the summary carries no personal data
    assert RepresentativeProof.objects.filter(request=request).count() == 1


@pytest.mark.parametrize(("body", "status"), [
    ({"representative_kind": "appointed", "representative_name": "田中",
      "representative_email": "tanaka@law.example.jp"}, 400),  # no proof
    ({"representative_kind": "uncle", "representative_name": "田中",
      "representative_email": "tanaka@law.example.jp"}, 400),  # unknown kind
], ids=["without-proof", "unknown-kind"])
def test_appi37_staff_api_refuses_bad_agent_input_in_the_error_shape(body, status, privacy_officer,
                                                                     file_dirs):
    response = staff_api(privacy_officer).post("/api/v1/staff/requests/", {
        "type": "disclosure", "subject_name": "山田 花子", "subject_email": "hanako@example.jp",
        **body}, format="multipart")
    assert response.status_code == status, response.content
    error = response.json()
    assert error["status"] == status and "representative" in json_text(error)
    assert nothing_written()


def test_appi37_staff_api_filing_needs_the_right_to_add_requests(alice, file_dirs):
    response = staff_api(alice).post("/api/v1/staff/requests/", {
        "type": "disclosure", "subject_email": "hanako@example.jp"}, format="json")
    assert response.status_code in (401, 403)
    assert nothing_written()


def json_text(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_appi37_the_notice_and_the_staff_alert_render_in_both_languages(language, alice, officer,
                                                                       file_dirs, client):
    from notifications_app.rendering import email_render

    request, _sent = file_by_agent(email=alice.email)
    notice = OutboundEmail.objects.get(kind="request_principal_notice")
    client.post(notice.context["objection_path"], {"note": ""})
    alert = OutboundEmail.objects.get(kind="staff_principal_objection")
    site = {"site_url": "https://privacy.example", "recipient_name": "Alice"}
    subject, text, html = email_render(kind="request_principal_notice", language=language,
                                       context=notice.context | site)
    assert request.reference in subject and AGENT["name"] in text
    assert f'https://privacy.example{notice.context["objection_path"]}' in html
    assert ("異議" in text) if language == "ja" else ("object" in text)
    subject, text, _html = email_render(kind="staff_principal_objection", language=language,
                                        context=alert.context | site)
    assert request.reference in subject and alert.context["admin_path"] in text
