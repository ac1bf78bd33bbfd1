"""An S3-compatible HTTP server for the object-storage tests (issue 20): moto's server mode
(`python -m moto.server`) in its own process on 127.0.0.1:<spare port>. The app reaches it only
through django-storages and boto3 over HTTP (AWS_S3_ENDPOINT_URL), as it reaches MinIO or S3.

Moto implements the S3 REST API (docs.aws.amazon.com/AmazonS3/latest/API: PutObject, GetObject,
HeadObject, DeleteObject, ListObjectsV2, GetObjectAcl, GetBucketAcl, GetBucketPolicy); it does not
check signatures or presigned-URL expiry, so expiry is proven through our own view's check.
"""

import subprocess
import sys
from pathlib import Path

import boto3
import requests

from tests.conftest import ROOT, wait_for
from tests.hardening.services import AppServer

BUCKET = "ccucaas-test-private"
REGION = "ap-northeast-1"
KEYS = {"AWS_ACCESS_KEY_ID": "moto-test-key", "AWS_SECRET_ACCESS_KEY": "moto-test-secret"}


class S3Server(AppServer):
    """Started, reached and stopped like the app server, on its own spare port."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, env={})
        self.log_path = tmp_path / "moto-s3.log"

    def _up(self) -> bool:
        try:
            return requests.get(self.url + "/moto-api/", timeout=2).status_code < 500
        except requests.RequestException:
            return False

    def start(self) -> "S3Server":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=ROOT, stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT)
        wait_for(self._up, timeout=60, what="moto's S3 server")
        self.client().create_bucket(Bucket=BUCKET,
                                    CreateBucketConfiguration={"LocationConstraint": REGION})
        return self

    def storage_env(self) -> dict[str, str]:
        """What a process needs to use this server as its object storage (.env.example)."""
        return {"STORAGE_BACKEND": "s3", "AWS_S3_ENDPOINT_URL": self.url,
                "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_REGION_NAME": REGION, **KEYS}

    def client(self):
        return boto3.client("s3", endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])

    def object_keys(self) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def use_s3(server: S3Server, *, settings, monkeypatch) -> None:
    """This process (and every process started afterwards with its environment) keeps its
    packages and account files in `server`'s bucket."""
    from ccucaas_privacy.settings.components.storage import storages_config

    for name, value in server.storage_env().items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = storages_config(backend="s3", bucket=BUCKET, endpoint_url=server.url,
                                        region=REGION, addressing_style="path")


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
