"""Disclosure package (RULES P21, P15 record of provisions; DESIGN section 6): contents and
checksums verified by unzipping; signed, owner-only, expiring download; purge of expired files."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from ccucaas_privacy import clock
from ccucaas_privacy.datasources import all_sources, source_get
from requests_app.models import DisclosurePackage, RequestEvent, Status
from requests_app.services import filing, transitions
from requests_app.services.packages import package_token, private_storage
from tests.requests_app.fulfilment_data import EMAIL, IP, LAST_NAME, rich_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]


@pytest.fixture
def disclosed(make_user, officer, run):
    user = run(rich_user, make_user, staff=officer)
    request, _sent = run(filing.request_file, type="disclosure", channel="portal", details={},
                         subject=user)
    mail.outbox.clear()
    run(transitions.request_reply, request=request, actor=officer, text="開示します。")
    request.refresh_from_db()
    return user, request, DisclosurePackage.objects.get(request=request)


def _archive(package) -> zipfile.ZipFile:
    with private_storage().open(package.file_name, "rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def test_p21_package_is_built_after_the_reply_and_every_checksum_matches(disclosed):
    _user, request, package = disclosed
    assert request.status == Status.COMPLETED
    with private_storage().open(package.file_name, "rb") as f:
        raw = f.read()
    assert hashlib.sha256(raw).hexdigest() == package.sha256 and len(raw) == package.size_bytes
    archive = zipfile.ZipFile(io.BytesIO(raw))
    names = set(archive.namelist())
    categories = {s.category for s in all_sources()}
    assert {"data.json", "index.html", "manifest.json", "provisions.csv"} <= names
    assert {f"{c}.csv" for c in categories} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["reference"] == request.reference and manifest["generated_at"]
    assert {f["name"] for f in manifest["files"]} == names - {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
    assert package.expires_at == package.created_at + timedelta(days=7)


def test_p21_data_json_and_csvs_hold_every_category_of_the_user(disclosed):
    _user, request, package = disclosed
    archive = _archive(package)
    data = json.loads(archive.read("data.json"))
    assert data["reference"] == request.reference
    assert set(data["categories"]) == {s.category for s in all_sources()}
    for category, block in data["categories"].items():
        source = source_get(category)
        assert block["columns"] == list(source.columns) and block["rule"] == source.rule
        assert block["rows"], category
    profile = data["categories"]["profile"]
    assert dict(zip(profile["columns"], profile["rows"][0], strict=True))["email"] == EMAIL
    logs = data["categories"]["visitor_logs"]
    assert [dict(zip(logs["columns"], row, strict=True))["ip"] for row in logs["rows"]] == [IP]
    contacts = list(csv.DictReader(io.StringIO(archive.read("contacts.csv").decode())))
    assert contacts[0]["name"] == "Taro Contact"
    provisions = list(csv.DictReader(io.StringIO(archive.read("provisions.csv").decode())))
    assert provisions[0]["recipient"] == "Acme Storage" and provisions[0]["legal_basis"]
    posts = list(csv.DictReader(io.StringIO(archive.read("forum_posts.csv").decode())))
    assert posts[0]["body"] == f"I am {LAST_NAME}"


def test_p21_index_html_explains_each_category_in_the_users_language(disclosed):
    _user, request, package = disclosed
    html = _archive(package).read("index.html").decode()
    assert 'lang="ja"' in html and request.reference in html
    assert "P10" in html and "P04" in html and "P15" in html


def test_p21_the_user_gets_the_link_by_email_and_on_the_request_page(disclosed, client):
    user, request, package = disclosed
    ready = [m for m in mail.outbox if package_token(package=package).split(":")[0] in m.body]
    assert len(ready) == 1 and ready[0].to == [EMAIL]
    client.force_login(user)
    page = client.get(reverse("requests:detail", kwargs={"pk": request.pk}))
    assert package.sha256 in page.content.decode()


def test_p21_owner_downloads_and_each_download_is_an_event(disclosed, client):
    user, request, package = disclosed
    url = reverse("requests:package_download",
                  kwargs={"pk": request.pk, "token": package_token(package=package)})
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == package.sha256
    client.get(url)
    assert RequestEvent.objects.filter(request=request, action="package_download").count() == 2


def test_p21_another_user_or_anonymous_gets_404_or_sign_in(disclosed, client, bob):
    _user, request, package = disclosed
    url = reverse("requests:package_download",
                  kwargs={"pk": request.pk, "token": package_token(package=package)})
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert not RequestEvent.objects.filter(action="package_download").exists()


def test_p21_tampered_link_is_404_and_expired_link_is_410(disclosed, client):
    user, request, package = disclosed
    token = package_token(package=package)
    client.force_login(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("requests:package_download",
                              kwargs={"pk": request.pk, "token": tampered})).status_code == 404
    forged = signing.TimestampSigner(salt="other").sign(str(package.public_id))
    assert client.get(reverse("requests:package_download",
                              kwargs={"pk": request.pk, "token": forged})).status_code == 404
    url = reverse("requests:package_download", kwargs={"pk": request.pk, "token": token})
    with time_machine.travel(clock.now() + timedelta(days=7, minutes=1)):
        assert client.get(url).status_code == 410
    assert not RequestEvent.objects.filter(action="package_download").exists()


def test_p21_expired_packages_are_purged_by_the_sweep(disclosed, run):
    from requests_app.services.fulfilment import fulfilment_sweep

    _user, _request, package = disclosed
    with time_machine.travel(package.expires_at + timedelta(minutes=1), tick=False):
        report = run(fulfilment_sweep)
    package.refresh_from_db()
    assert report["purged"] == 1 and package.purged_at is not None
    assert not private_storage().exists(package.file_name)


def test_p21_building_twice_keeps_one_package(disclosed):
    from requests_app.services.packages import disclosure_package_build

    _user, request, package = disclosed
    assert disclosure_package_build(request=request).pk == package.pk
    assert DisclosurePackage.objects.count() == 1


def test_p21_reply_email_announces_the_package_in_the_users_language(disclosed):
    _user, request, _package = disclosed
    reply = next(m for m in mail.outbox if "開示します。" in m.body)
    assert "ZIPファイル" in reply.body and "を準備しています" in reply.body
    assert str(request.pk) in reply.body  # the link to the request page, where it appears
