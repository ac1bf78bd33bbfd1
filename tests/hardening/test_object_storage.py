"""Files beyond one machine (issue 20, Done when; RULES P21, P07): a web process (gunicorn) and
a Celery worker with DIFFERENT VAR_DIR folders share only PostgreSQL, Redis and an S3-compatible
server (moto's, over HTTP on 127.0.0.1). A portal user uploads a file and asks for disclosure
over HTTP, staff reply through the service, the worker builds the package into the bucket, the
web process streams it to its owner, nobody else gets it, and neither VAR_DIR holds a file.
"""

import hashlib
import io
import json
import re
import zipfile

import pytest
import requests

from accounts_app.models import ContentFile
from ccucaas_privacy.celery import app as celery_app
from requests_app.models import DataSubjectRequest, DisclosurePackage, RequestEvent, RequestType
from requests_app.services import transitions
from requests_app.services.packages import package_download_path
from tests.conftest import LiveWorker, subprocess_env, wait_for
from tests.hardening.services import AppServer, csrf_post
from tests.object_storage import S3Server, files_under, use_s3

pytestmark = [pytest.mark.services, pytest.mark.rule("P21"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def two_hosts(tmp_path, settings, monkeypatch):
    """moto's S3 server; gunicorn with VAR_DIR=web/, a worker with VAR_DIR=worker/."""
    from notifications_app.services.dispatch import broker_purge

    # passwords the web process can check (the test settings' MD5 hasher is not in base.py's list)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    s3 = S3Server(tmp_path).start()
    use_s3(s3, settings=settings, monkeypatch=monkeypatch)
    folders = {name: tmp_path / name / "var" for name in ("web", "worker")}
    envs = {}
    for name, var_dir in folders.items():
        (tmp_path / name).mkdir(exist_ok=True)
        env = subprocess_env(VAR_DIR=str(var_dir), **s3.storage_env())
        for local in ("PRIVATE_STORAGE_DIR", "ACCOUNT_CONTENT_DIR"):  # each follows its VAR_DIR
            env.pop(local, None)
        envs[name] = env
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    broker_purge()
    web = AppServer(tmp_path / "web", envs["web"]).start()
    worker = LiveWorker(tmp_path / "worker", envs["worker"]).start()
    try:
        yield s3, web, worker, folders
    finally:
        worker.stop()
        web.stop()
        s3.stop()
        celery_app.conf.task_always_eager = eager


def _sign_in(web: AppServer, username: str) -> requests.Session:
    session = requests.Session()
    response = csrf_post(session, web.url + "/en/sign-in/",
                         {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text[-2000:]
    return session


def _upload(web: AppServer, session: requests.Session, name: str, body: bytes) -> None:
    session.get(web.url + "/en/account/files/", timeout=10)
    response = session.post(web.url + "/en/account/files/", timeout=30, allow_redirects=False,
                            data={"csrfmiddlewaretoken": session.cookies["csrftoken"],
                                  "storage_region": "ap-northeast-1"},
                            files={"file": (name, body, "text/plain")})
    assert response.status_code == 302, response.text[-2000:]


def test_p21_worker_builds_into_s3_and_another_host_serves_it_to_its_owner_only(
        two_hosts, make_user, officer):
    s3, web, worker, folders = two_hosts
    owner = make_user("hanako", email="hanako@example.jp", language="en")
    make_user("mallory", email="mallory@example.com", language="en")

    # The owner, over HTTP on the web process: a file, then a disclosure request.
    session = _sign_in(web, "hanako")
    _upload(web, session, "diary.txt", "my private diary 日記".encode())
    assert any(k.startswith("account-files/") for k in s3.object_keys()), s3.object_keys()
    stored = ContentFile.objects.get(user=owner)
    own_file = f"{web.url}/en/account/files/{stored.public_id}/download/"
    assert session.get(own_file, timeout=30).content == "my private diary 日記".encode()
    page = csrf_post(session, web.url + "/en/requests/new/disclosure/",
                     {"note": "everything", "password": PASSWORD})
    assert page.status_code == 302, page.text[-2000:]
    request = DataSubjectRequest.objects.get(subject=owner, type=RequestType.DISCLOSURE)

    # Staff reply (through the service); the package is built by the worker, not here.
    transitions.request_reply(request=request, actor=officer, text="Here is your data.")
    package = wait_for(lambda: DisclosurePackage.objects.filter(request=request).first(),
                       timeout=90, what="the worker to build the package")
    assert f"private/{package.file_name}" in s3.object_keys(), worker.log()[-3000:]
    built_by = re.search(r"Task requests_app\.tasks\.disclosure_package_build\[[^\]]+\] "
                         r"succeeded", worker.log())
    assert built_by, worker.log()[-3000:]  # the worker (VAR_DIR=worker/) built it

    # The web process streams it to its owner.
    url = web.url + package_download_path(package=package)
    response = session.get(url, timeout=60)
    assert response.status_code == 200, response.text[-2000:]
    assert response.headers["Content-Type"] == "application/zip"
    assert hashlib.sha256(response.content).hexdigest() == package.sha256
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    assert "diary.txt" in archive.read("account_content.csv").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["reference"] == request.reference
    assert RequestEvent.objects.filter(request=request, action="package_download",
                                       actor=owner).count() == 1

    # Nobody else: another user 404, a signed-out visitor is sent to sign in, a guess 404.
    other = _sign_in(web, "mallory")
    assert other.get(url, timeout=30).status_code == 404
    assert other.get(own_file, timeout=30).status_code == 404
    anonymous = requests.get(url, timeout=30, allow_redirects=False)
    assert anonymous.status_code == 302 and "sign-in" in anonymous.headers["Location"]
    guessed = re.sub(r"/package/[^/]+/$", f"/package/{package.file_name.replace('/', '-')}/", url)
    assert session.get(guessed, timeout=30).status_code == 404
    assert RequestEvent.objects.filter(action="package_download").count() == 1

    # Neither host wrote a private file: everything is in the bucket.
    for name, var_dir in folders.items():
        assert files_under(var_dir / "private") == [], name
