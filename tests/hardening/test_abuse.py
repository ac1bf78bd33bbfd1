"""Abuse (P03, P18): sign-in, verification-code and help-desk throttling; CSRF on every portal
form; signed links that cannot be tampered with; uploads limited in size and type; markup and
header injection in free text rendered inert in the portal, the admin and emails."""

import re
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts_app.models import Contact, ContentFile
from tests.accounts_app.conftest import PASSWORD, portal_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HEADER = "Hello\r\nBcc: victim@example.net\r\nX-Injected: yes"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # throttles and rate limits count in the local-memory cache
    yield
    cache.clear()


@pytest.fixture
def files_dir(settings, tmp_path):
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return tmp_path


# --- throttling --------------------------------------------------------------------------

@pytest.mark.rule("P03")
def test_p03_sign_in_locks_after_five_failures_even_for_the_right_password(client, alice,
                                                                           settings):
    statuses = [portal_sign_in(client, "alice", password="wrong-password").status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = portal_sign_in(client, "alice")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The page looks the same for a username that does not exist: nothing is revealed.
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        portal_sign_in(other, "nobody-here", password="wrong-password")
    assert portal_sign_in(other, "nobody-here").status_code == 429


@pytest.mark.rule("P03")
def test_p03_the_token_api_answers_429_once_locked(alice, settings):
    from rest_framework.test import APIClient

    api = APIClient()
    statuses = [api.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"},
                         format="json").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    refused = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD},
                       format="json")
    assert refused.status_code == 429
    assert "token" not in refused.json()


@pytest.mark.rule("P21")
def test_p21_verification_code_form_refuses_the_right_code_after_five_wrong_ones(client,
                                                                                settings):
    from tests.requests_app.conftest import file_web_form

    request, sent = file_web_form()
    url = reverse("requests:verify", kwargs={"token": sent.token})
    wrong = f"{(int(sent.code) + 1) % 1_000_000:06d}"
    for _ in range(settings.REQUESTS["VERIFICATION_MAX_WRONG_CODES"]):
        assert client.post(url, {"code": wrong}).status_code == 200
    response = client.post(url, {"code": sent.code})
    request.refresh_from_db()
    assert request.identity_verified_at is None
    assert request.status == "awaiting_verification"
    assert "verify_done" not in [t.name for t in response.templates]


@pytest.mark.rule("P26")
def test_p18_help_desk_form_is_rate_limited_per_address_with_a_clear_429(client, settings):
    from requests_app.models import DataSubjectRequest

    settings.HELPDESK_RATE_LIMIT = 3
    url = reverse("requests:helpdesk")

    def submit(i: int, ip: str = "203.0.113.7"):
        return client.post(url, {"name": "Guest", "email": f"guest{i}@example.org",
                                 "type": "inquiry", "subject": "Question", "message": "Hello"},
                           REMOTE_ADDR=ip)

    assert [submit(i).status_code for i in range(3)] == [200, 200, 200]
    assert DataSubjectRequest.objects.count() == 3
    refused = submit(3)
    assert refused.status_code == 429
    assert "Too many submissions" in refused.content.decode() or \
        "送信が多すぎます" in refused.content.decode()
    assert DataSubjectRequest.objects.count() == 3  # nothing filed
    assert submit(4, ip="198.51.100.9").status_code == 200  # another address is not affected
    assert DataSubjectRequest.objects.count() == 4


# --- CSRF on every portal form ---------------------------------------------------------------

def _portal_patterns():
    """Every URL pattern under the language prefix, with sample arguments."""
    root = get_resolver()
    for entry in root.url_patterns:
        if isinstance(entry, URLResolver) and entry.pattern.__class__.__name__ == \
                "LocalePrefixPattern":
            yield from _walk(entry, "")


def _walk(resolver: URLResolver, namespace: str):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _sample_kwargs(pattern: URLPattern) -> dict:
    values = {"uuid": uuid.uuid4(), "int": 1, "str": "sample-token", "slug": "sample",
              "path": "sample"}
    converters = pattern.pattern.converters
    return {name: values[{"UUIDConverter": "uuid", "IntConverter": "int",
                          "SlugConverter": "slug", "PathConverter": "path"}.get(
                              type(conv).__name__, "str")]
            for name, conv in converters.items()}


def test_p18_every_portal_url_refuses_a_post_without_the_csrf_token(alice):
    names = []
    for name, pattern in _portal_patterns():
        url = reverse(name, kwargs=_sample_kwargs(pattern))
        for signed_in in (False, True):
            client = Client(enforce_csrf_checks=True)
            if signed_in:
                client.force_login(alice)
            response = client.post(url, {"anything": "x"})
            # Refused by the CSRF check (our templates/403_csrf.html), not by anything else.
            assert response.status_code == 403 and "403_csrf.html" in [
                t.name for t in response.templates], (name, url, signed_in, response.status_code)
        names.append(name)
    assert {"accounts:sign-in", "accounts:sign-up", "accounts:contact-new",
            "requests:helpdesk", "requests:new_of_type", "requests:verify"} <= set(names)
    # The language switcher (no prefix) and the admin sign-in too.
    for url in (reverse("set_language"), reverse("admin:login")):
        response = Client(enforce_csrf_checks=True).post(url, {"language": "en"})
        assert response.status_code == 403, url


def test_p18_the_same_form_with_its_token_is_accepted(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = reverse("accounts:contact-new")
    client.get(url)
    response = client.post(url, {"name": "Hanako", "email": "hanako@example.jp",
                                 "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    assert Contact.objects.filter(user=alice, name="Hanako").exists()


def test_p18_the_api_with_a_session_cookie_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/api/v1/requests/", {"type": "inquiry", "details": {
        "subject": "s", "message": "m"}}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- signed links ---------------------------------------------------------------------------

def _tamper(token: str) -> list[str]:
    """Variants an attacker would try: a changed character, a cut signature, another user's
    payload with the old signature."""
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [flipped, token.rsplit(":", 1)[0], token + "x", "x" + token[1:]]


@pytest.mark.rule("P02")
def test_p02_tampered_unsubscribe_links_change_nothing(alice, bob, client):
    from consent_app.selectors import consent_is_granted
    from consent_app.services import consent_grant
    from notifications_app.tokens import unsubscribe_token_make

    consent_grant(user=alice, purpose="marketing_email", channel="portal")
    consent_grant(user=bob, purpose="marketing_email", channel="portal")
    token = unsubscribe_token_make(user_id=alice.pk)
    for bad in _tamper(token):
        assert client.post(f"/unsubscribe/{bad}/").status_code == 400, bad
    # Alice's signature on Bob's payload: still refused.
    forged = unsubscribe_token_make(user_id=bob.pk).split(":", 1)[0] + ":" + \
        token.split(":", 1)[1]
    assert client.post(f"/unsubscribe/{forged}/").status_code == 400
    assert consent_is_granted(user=alice, purpose="marketing_email")
    assert consent_is_granted(user=bob, purpose="marketing_email")
    assert client.post(f"/unsubscribe/{token}/").status_code == 200  # the real one works
    assert not consent_is_granted(user=alice, purpose="marketing_email")
    assert consent_is_granted(user=bob, purpose="marketing_email")


@pytest.mark.rule("P01")
def test_p01_tampered_email_confirmation_links_confirm_nothing(alice, client):
    from accounts_app.services.accounts import email_confirmation_queue
    from notifications_app.models import OutboundEmail

    email_confirmation_queue(user=alice)
    row = OutboundEmail.objects.filter(recipient_email=alice.email,
                                       kind="account_email_confirmation").get()
    path = row.context["confirm_url"].split("://", 1)[1].split("/", 1)[1]
    token = path.rstrip("/").rsplit("/", 1)[1]
    for bad in _tamper(token):
        url = reverse("accounts:confirm-email", kwargs={"token": bad})
        assert client.get(url).status_code == 400, bad
        alice.refresh_from_db()
        assert alice.email_confirmed_at is None
    assert client.get(reverse("accounts:confirm-email", kwargs={"token": token})
                      ).status_code == 200
    alice.refresh_from_db()
    assert alice.email_confirmed_at is not None


@pytest.mark.rule("P21")
def test_p21_tampered_package_links_download_nothing(files_dir, alice, bob, officer,
                                                     django_capture_on_commit_callbacks):
    from requests_app.models import DisclosurePackage
    from requests_app.services import filing, transitions
    from requests_app.services.packages import package_download_path

    with django_capture_on_commit_callbacks(execute=True):
        request, _sent = filing.request_file(type="disclosure", channel="portal", details={},
                                               subject=alice)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.request_reply(request=request, actor=officer, text="開示します。")
    package = DisclosurePackage.objects.get(request=request)
    path = package_download_path(package=package)
    token = path.rstrip("/").rsplit("/", 1)[1]
    owner = Client()
    owner.force_login(alice)
    for bad in _tamper(token):
        response = owner.get(reverse("requests:package_download",
                                     kwargs={"pk": request.pk, "token": bad}))
        assert response.status_code == 404, bad
    other = Client()
    other.force_login(bob)
    assert other.get(path).status_code == 404  # a valid link is still only the owner's
    response = owner.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


# --- uploads -------------------------------------------------------------------------------

@pytest.mark.rule("P07")
def test_p07_oversized_uploads_are_refused_and_nothing_is_stored(files_dir, alice, client,
                                                                 settings):
    settings.ACCOUNT_CONTENT_MAX_BYTES = 1024
    client.force_login(alice)
    big = SimpleUploadedFile("big.bin", b"x" * 1025, content_type="application/octet-stream")
    response = client.post(reverse("accounts:files"), {"file": big, "storage_region": "ap-northeast-1"})
    assert response.status_code in (200, 400)
    assert "too large" in response.content.decode() or "大きすぎ" in response.content.decode()
    assert not ContentFile.objects.exists()
    assert not any((files_dir / "content").rglob("*")) if (files_dir / "content").exists() else True


@pytest.mark.rule("P07")
def test_p07_upload_names_cannot_leave_the_private_folder(files_dir, alice, client):
    client.force_login(alice)
    upload = SimpleUploadedFile("../../../../evil.html", b"<script>alert(1)</script>",
                                content_type="text/html")
    response = client.post(reverse("accounts:files"), {"file": upload,
                                                       "storage_region": "ap-northeast-1"})
    assert response.status_code in (200, 302)
    stored = ContentFile.objects.get(user=alice)
    on_disk = (files_dir / "content").resolve()
    assert on_disk in (on_disk / stored.file.name).resolve().parents
    assert ".." not in stored.name and "/" not in stored.name
    page = client.get(reverse("accounts:files")).content.decode()
    assert "<script>alert(1)</script>" not in page  # never served or rendered as markup


@pytest.mark.rule("P04")
def test_p04_contact_import_refuses_binary_and_oversized_files(alice, client):
    client.force_login(alice)
    url = reverse("accounts:contacts-import")
    png = SimpleUploadedFile("contacts.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                             content_type="text/csv")
    response = client.post(url, {"file": png})
    assert response.status_code in (200, 400)
    assert "UTF-8" in response.content.decode()
    huge = SimpleUploadedFile("contacts.csv", b"name\n" + b"a\n" * 600_000,
                              content_type="text/csv")
    response = client.post(url, {"file": huge})
    assert "1 MB" in response.content.decode() or "1MB" in response.content.decode()
    assert not Contact.objects.filter(user=alice).exists()


# --- markup and header injection -------------------------------------------------------------

def _assert_inert(html: str) -> None:
    assert XSS not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html


def test_p18_free_text_is_escaped_on_portal_pages(alice, client):
    from accounts_app.services import accounts as services
    from accounts_app.services import data as services_data
    from requests_app.services.filing import request_file

    services.profile_update(user=alice, changes={"first_name": XSS[:150]}, channel="portal")
    contact = services_data.contact_create(user=alice, name=XSS[:200], postal_address=XSS)
    post = services_data.forum_post_create(user=alice, title=XSS[:200], body=XSS)
    request, _sent = request_file(type="inquiry", channel="portal", subject=alice,
                                  details={"subject": XSS[:200], "message": XSS})
    client.force_login(alice)
    for url in (reverse("accounts:settings"), reverse("accounts:contacts"),
                reverse("accounts:contact-edit", kwargs={"public_id": contact.public_id}),
                reverse("accounts:posts"),
                reverse("accounts:post-edit", kwargs={"public_id": post.public_id}),
                reverse("requests:list"), reverse("requests:detail", kwargs={"pk": request.pk})):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert XSS not in html and "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        if url != reverse("requests:list"):
            assert "&lt;script&gt;alert(" in html, url  # the text is shown, as text


def test_p18_free_text_is_escaped_in_the_admin(alice, officer, client, staff_sign_in):
    from accounts_app.services import data as services_data
    from requests_app.services.filing import request_file

    services_data.contact_create(user=alice, name=XSS[:200], postal_address=XSS)
    request, _sent = request_file(type="inquiry", channel="portal", subject=alice,
                                  details={"subject": XSS[:200], "message": XSS})
    staff_sign_in(client, officer)
    pages = [reverse("admin:requests_app_datasubjectrequest_changelist"),
             reverse("admin:requests_app_datasubjectrequest_change", args=[request.pk]),
             reverse("admin:requests_app_requestevent_changelist")]
    for url in pages:
        response = client.get(url, follow=True)
        # The personal-data pages ask for a reason first (P18): give it, then look.
        if "reason" in response.content.decode() and response.redirect_chain:
            last = response.redirect_chain[-1][0]
            client.post(last, {"reason": "Checking escaping"})
            response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert XSS not in html and "<script>alert" not in html, url
        if "/change/" in url:
            assert "&lt;script&gt;alert(" in html, url  # the text is shown, as text


def test_p18_email_headers_and_html_stay_inert(alice, django_capture_on_commit_callbacks,
                                               settings):
    from accounts_app.services import accounts as services
    from notifications_app.services.outbox import notification_queue

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.profile_update(user=alice, changes={"first_name": XSS[:150]}, channel="portal")
    alice.refresh_from_db()
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(kind="administrative_notice", cause="hardening:injection",
                           context={"title": HEADER + XSS, "body": XSS}, user=alice)
    assert len(mail.outbox) == 1
    message = mail.outbox[0].message()
    headers = message.as_string().split("\n\n", 1)[0]
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\nBcc:" not in headers and "\nX-Injected:" not in headers
    subject = mail.outbox[0].subject
    assert "\r" not in subject and "\n" not in subject and "Hello Bcc: victim" in subject
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert re.search(r"Bcc: victim", mail.outbox[0].to[0]) is None
    assert mail.outbox[0].to == [alice.email] and not mail.outbox[0].bcc
