"""Fulfilment through a real Celery worker on Redis and PostgreSQL (marker `services`):
the package is built by the worker after the reply; a deletion is erased by the worker and sent
to a provider over real HTTP; its signed callback completes the request (RULES P21, P14)."""

import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from requests_app.models import (
    DataSubjectRequest,
    DisclosurePackage,
    Processor,
    Propagation,
    Status,
)
from requests_app.services import filing, transitions
from requests_app.services.packages import package_token
from tests.conftest import storage_shared_with_worker, wait_for
from tests.requests_app.fake_processor import FakeProcessor, rsa_key_and_certificate
from tests.requests_app.fulfilment_data import EMAIL, deletion_replied, rich_user, scan, tables_of

pytestmark = [pytest.mark.services,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _shared_dirs(settings, tmp_path, monkeypatch):
    """The worker process reads the same folders and keys from its environment."""
    storage_shared_with_worker(settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path,
                               private_endpoints=True)
    key, _cert = rsa_key_and_certificate()
    return key


def test_p21_worker_builds_the_package_after_the_reply(live_worker, make_user, officer, client):
    user = rich_user(make_user)
    request, _sent = filing.request_file(type="disclosure", channel="portal", details={},
                                           subject=user)
    transitions.request_reply(request=request, actor=officer, text="開示します。")
    package = wait_for(lambda: DisclosurePackage.objects.filter(request=request).first(),
                       timeout=60, what="the worker to build the package")
    client.force_login(user)
    response = client.get(reverse("requests:package_download",
                                  kwargs={"pk": request.pk, "token": package_token(package=package)}))
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == package.sha256
    # Built outside a transaction: the bulk categories' JSON came from a second connection.
    archive = zipfile.ZipFile(io.BytesIO(body))
    data = json.loads(archive.read("data.json"))
    assert len(data["categories"]["visitor_logs"]["rows"]) == 1
    assert len(data["categories"]["contacts"]["rows"]) == 1
    assert "Taro Contact" in archive.read("contacts.csv").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["name"]: f.get("rows") for f in manifest["files"]}["visitor_logs.csv"] == 1


def test_p21_worker_erases_and_the_providers_signed_callback_completes(
        live_worker, make_user, officer, client, _shared_dirs, run):
    key = _shared_dirs
    with FakeProcessor(key=key) as fake:
        processor = Processor.objects.create(name="Analytics Co", purpose="analytics",
                                             country="US", connector="opendsr",
                                             endpoint_url=fake.opendsr_url)
        request = deletion_replied(run, make_user, officer)
        wait_for(lambda: fake.bodies("/v1/requests"), timeout=60, what="the OpenDSR request")
        assert fake.bodies("/v1/requests")[0]["subject_identities"][0]["identity_value"] == EMAIL
        wait_for(lambda: not Propagation.objects.filter(processor=None).exclude(
            status="confirmed").exists(), timeout=60, what="every internal source to erase")

    row = Propagation.objects.get(processor=processor)
    body, headers = fake.opendsr_callback(row, key=key)  # §8.6, as the provider sends it
    response = client.post(reverse("fulfilment-callback", args=[processor.pk]), data=body,
                           content_type="application/json",
                           headers={k: v for k, v in headers.items() if k != "Content-Type"})
    assert response.status_code == 200
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.COMPLETED
    from ccucaas_privacy.datasources import all_sources

    evidence = tables_of([s for s in all_sources() if s.retained_on_erasure
                          and s.category not in ("request_history", "staff_activity")])
    assert scan(skip_tables=evidence) == {}
