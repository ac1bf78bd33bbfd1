"""Disclosure packages and account files on object storage (issue 20; RULES P21, P07): the S3
path runs against moto's S3-compatible HTTP server on 127.0.0.1 (tests/object_storage.py), through
django-storages and boto3 over HTTP. Attacker's tests first: another user, a guessed key or
token, an expired link; then the owner's download, privacy of the bucket, and nothing on disk."""

import hashlib
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ccucaas_privacy import clock
from requests_app.models import DisclosurePackage, RequestEvent
from requests_app.services import filing, transitions
from requests_app.services.packages import package_file_open, package_token, private_storage
from tests.conftest import ROOT
from tests.object_storage import S3Server, files_under, use_s3
from tests.requests_app.fulfilment_data import rich_user

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    server = S3Server(tmp_path_factory.mktemp("s3")).start()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, settings, monkeypatch, tmp_path):
    """This test's packages and account files go to the bucket; the local folders they would
    use otherwise are under tmp_path, to prove nothing lands there."""
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "private" / "content"
    use_s3(s3_server, settings=settings, monkeypatch=monkeypatch)
    return s3_server


@pytest.fixture
def disclosed(s3, make_user, officer, run):
    user = run(rich_user, make_user, staff=officer)
    request, _sent = run(filing.request_file, type="disclosure", channel="portal", details={},
                         subject=user)
    mail.outbox.clear()
    run(transitions.request_reply, request=request, actor=officer, text="開示します。")
    return user, request, DisclosurePackage.objects.get(request=request)


def _url(request, token: str) -> str:
    return reverse("requests:package_download", kwargs={"pk": request.pk, "token": token})


# --- attackers first ---------------------------------------------------------------------------

def test_p21_another_user_gets_404_for_a_package_on_s3_and_nothing_is_logged(disclosed, client,
                                                                              bob):
    _user, request, package = disclosed
    client.force_login(bob)
    response = client.get(_url(request, package_token(package=package)))
    assert response.status_code == 404
    assert package.sha256 not in response.content.decode(errors="replace")
    assert not RequestEvent.objects.filter(action="package_download").exists()


def test_p21_a_guessed_key_or_token_gets_404(disclosed, client, s3):
    user, request, package = disclosed
    client.force_login(user)
    key = next(k for k in s3.object_keys() if k.endswith(".zip"))
    # the object's key, a forged signature, an unsigned id, another request's id: none open it
    for token in (key, f"{package.public_id}:forged",
                  signing.TimestampSigner(salt="guess").sign(str(package.public_id)),
                  str(package.public_id)):
        assert client.get(_url(request, token.replace("/", "-"))).status_code == 404, token
    other = reverse("requests:package_download",
                    kwargs={"pk": "00000000-0000-0000-0000-000000000000",
                            "token": package_token(package=package)})
    assert client.get(other).status_code == 404
    assert not RequestEvent.objects.filter(action="package_download").exists()


def test_p21_an_expired_link_gets_the_gone_page_though_the_object_is_still_in_the_bucket(
        disclosed, client, s3):
    """Moto does not enforce presigned-URL expiry, and no presigned URL is handed out: the web
    process checks the signed link's age and the package's expiry before it streams."""
    user, request, package = disclosed
    client.force_login(user)
    url = _url(request, package_token(package=package))
    with time_machine.travel(clock.now() + timedelta(days=7, minutes=1)):
        response = client.get(url)
    assert response.status_code == 410
    assert "zip" not in response.get("Content-Type", "")
    assert f"{package.file_name}" in [k.removeprefix("private/") for k in s3.object_keys()]
    assert not RequestEvent.objects.filter(action="package_download").exists()


def test_p21_the_bucket_and_the_package_are_private_and_no_url_is_ever_given(disclosed, s3):
    _user, _request, package = disclosed
    client = s3.client()
    key = "private/" + package.file_name
    public = {"http://acs.amazonaws.com/groups/global/AllUsers",
              "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}
    for acl in (client.get_object_acl(Bucket=s3.storage_env()["AWS_STORAGE_BUCKET_NAME"], Key=key),
                client.get_bucket_acl(Bucket=s3.storage_env()["AWS_STORAGE_BUCKET_NAME"])):
        assert {g["Grantee"].get("URI") for g in acl["Grants"]} & public == set()
    options = private_storage()
    assert options.default_acl is None and options.querystring_auth is True
    assert options.querystring_expire <= 60 and options.file_overwrite is False


# --- the owner ---------------------------------------------------------------------------------

def test_p21_worker_side_build_writes_the_zip_to_the_bucket_and_nothing_to_disk(disclosed, s3,
                                                                             tmp_path):
    _user, _request, package = disclosed
    stored = s3.read("private/" + package.file_name)
    assert hashlib.sha256(stored).hexdigest() == package.sha256
    assert len(stored) == package.size_bytes
    assert zipfile.ZipFile(io.BytesIO(stored)).testzip() is None
    with package_file_open(package=package) as f:  # the service the paper method reads with
        assert f.read() == stored
    assert files_under(tmp_path / "private") == []


def test_p21_owner_downloads_the_package_streamed_from_s3_and_the_download_is_logged(
        disclosed, client):
    user, request, package = disclosed
    client.force_login(user)
    response = client.get(_url(request, package_token(package=package)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == package.sha256
    assert "data.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    event = RequestEvent.objects.get(request=request, action="package_download")
    assert event.actor_id == user.pk and event.data == {"package": str(package.public_id)}


def test_p21_expired_packages_are_deleted_from_the_bucket_by_the_sweep(disclosed, run, s3):
    from requests_app.services.fulfilment import fulfilment_sweep

    _user, _request, package = disclosed
    with time_machine.travel(package.expires_at + timedelta(minutes=1), tick=False):
        report = run(fulfilment_sweep)
    assert report["purged"] >= 1
    assert "private/" + package.file_name not in s3.object_keys()


# --- account files (P07) -----------------------------------------------------------------------

def test_p07_account_files_are_stored_in_the_bucket_and_deleted_from_it(s3, alice, run, tmp_path):
    from accounts_app.services.data import content_file_create, content_file_delete

    content = run(content_file_create, user=alice,
                  upload=SimpleUploadedFile("note.txt", b"private words"),
                  storage_region="ap-northeast-1")
    key = "account-files/" + content.file.name
    assert s3.read(key) == b"private words"
    with content.file.open("rb") as f:
        assert f.read() == b"private words"
    assert files_under(tmp_path / "private") == []
    run(content_file_delete, content=content)
    assert key not in s3.object_keys()


def test_p07_erasing_the_account_content_deletes_its_objects(s3, alice, run):
    from accounts_app.services.data import content_file_create
    from ccucaas_privacy.datasources import source_get

    content = run(content_file_create, user=alice, upload=SimpleUploadedFile("a.txt", b"x"),
                  storage_region="us-west-2")
    key = "account-files/" + content.file.name
    assert key in s3.object_keys()
    source_get("account_content").erase(alice)
    assert key not in s3.object_keys()


# --- configuration -----------------------------------------------------------------------------

def test_make_run_keeps_local_private_folders_and_production_can_name_s3():
    from ccucaas_privacy.settings.components.storage import storages_config

    local = storages_config(backend="filesystem")
    assert local["packages"]["BACKEND"] == "ccucaas_privacy.storage.SettingFolderStorage"
    assert local["account_files"]["OPTIONS"] == {"setting": "ACCOUNT_CONTENT_DIR"}
    s3 = storages_config(backend="s3", bucket="b", endpoint_url="http://minio:9000")
    assert s3["packages"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["packages"]["OPTIONS"]["default_acl"] is None
    assert s3["packages"]["OPTIONS"]["location"] != s3["account_files"]["OPTIONS"]["location"]
    with pytest.raises(ImproperlyConfigured):
        storages_config(backend="ftp")


def test_a_local_private_file_has_no_url(file_dirs, alice, run):
    from accounts_app.services.data import content_file_create

    content = run(content_file_create, user=alice, upload=SimpleUploadedFile("a.txt", b"x"),
                  storage_region="us-west-2")
    with pytest.raises(ValueError, match="no URL"):
        content.file.url  # noqa: B018


def test_app_code_never_opens_packages_or_account_files_by_path():
    """No `open(path)` on the private folders and no `.path` of a storage file in app code: on
    S3 there is no path (only ccucaas_privacy/storage.py and the settings name the folders)."""
    apps = ["ccucaas_privacy", "accounts_app", "requests_app", "consent_app",
            "notifications_app", "agents_app", "incidents_app"]
    allowed = {ROOT / "ccucaas_privacy" / "storage.py"}
    offenders = []
    for app in apps:
        for source in (ROOT / app).rglob("*.py"):
            if "settings" in source.parts or "migrations" in source.parts or source in allowed:
                continue
            text = source.read_text()
            for pattern in (r"settings\.(PRIVATE_STORAGE_DIR|ACCOUNT_CONTENT_DIR)", r"\.path\(",
                            r"\.file\.path\b",
                            r"storage\(\)\.path\(", r"var/private"):
                if re.search(pattern, text):
                    offenders.append(f"{source.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_filesystem_storage_follows_the_folder_setting(file_dirs, alice, run):
    from accounts_app.services.data import content_file_create

    content = run(content_file_create, user=alice, upload=SimpleUploadedFile("a.txt", b"x"),
                  storage_region="us-west-2")
    assert [p.name for p in files_under(Path(file_dirs) / "content")] == ["a.txt"]
    assert content.file.name.endswith("a.txt")


def test_p07_another_user_gets_404_for_an_account_file_on_s3(s3, alice, bob, run, client):
    from accounts_app.models import UsageRecord
    from accounts_app.services.data import content_file_create

    content = run(content_file_create, user=alice, upload=SimpleUploadedFile("p.txt", b"secret"),
                  storage_region="us-west-2")
    client.force_login(bob)
    response = client.get(reverse("accounts:file-download", args=[content.public_id]))
    assert response.status_code == 404 and b"secret" not in response.content
    assert not UsageRecord.objects.filter(feature="content_download").exists()


def test_p07_owner_downloads_an_account_file_streamed_from_s3_as_an_attachment(s3, alice, run,
                                                                              client):
    from accounts_app.models import UsageRecord
    from accounts_app.services.data import content_file_create

    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")
    content = run(content_file_create, user=alice, upload=upload, storage_region="us-west-2")
    client.force_login(alice)
    response = client.get(reverse("accounts:file-download", args=[content.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "application/octet-stream"  # never rendered as HTML
    assert response["Content-Disposition"].startswith("attachment")
    assert UsageRecord.objects.filter(user=alice, feature="content_download").count() == 1
