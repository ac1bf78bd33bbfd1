"""Files (issue 20): disclosure packages and account files go through Django's storage API.

Two named storages besides Django's own: `packages` (disclosure ZIPs, requests_app) and
`account_files` (uploaded account content, accounts_app). Nothing opens those files by path.

- `STORAGE_BACKEND=filesystem` (the default, `make run`): private local folders,
  PRIVATE_STORAGE_DIR (packages) and ACCOUNT_CONTENT_DIR (account files), read on each use.
- `STORAGE_BACKEND=s3` (production, docker compose with MinIO): django-storages' S3Storage on
  one private bucket, each storage under its own prefix. No ACL is ever sent (the bucket's
  private default applies), names are never overwritten, and no object URL is handed out:
  downloads are streamed by the web process after its owner check and access log.
"""

from pathlib import Path
from typing import Any

from .environment import VAR_DIR, env

STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
PRIVATE_STORAGE_DIR = Path(env("PRIVATE_STORAGE_DIR", default=str(VAR_DIR / "private")))

# S3 (or S3-compatible: MinIO, moto's server in tests). Keys: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY from the environment (or the host's role), as boto3 reads them.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="ccucaas-private")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="ap-northeast-1")
# "path" for MinIO and moto (no per-bucket DNS names); "virtual" or "auto" on AWS.
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="path")
AWS_S3_PACKAGES_PREFIX = env("AWS_S3_PACKAGES_PREFIX", default="private")
AWS_S3_ACCOUNT_FILES_PREFIX = env("AWS_S3_ACCOUNT_FILES_PREFIX", default="account-files")

STORAGE_BACKENDS = ("filesystem", "s3")


def s3_options(*, prefix: str, bucket: str, endpoint_url: str | None, region: str,
               addressing_style: str) -> dict[str, Any]:
    """S3Storage options of one private named storage (django-storages "Amazon S3" docs)."""
    return {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": endpoint_url,
        "region_name": region,
        "addressing_style": addressing_style,
        "signature_version": "s3v4",
        "default_acl": None,  # never a public ACL: the bucket's own (private) applies
        "querystring_auth": True,  # any URL S3Storage makes is signed, never a bare object URL
        "querystring_expire": 60,
        "file_overwrite": False,  # a second build under one name never replaces the first
        "custom_domain": None,
    }


def storages_config(*, backend: str, bucket: str = AWS_STORAGE_BUCKET_NAME,
                    endpoint_url: str | None = AWS_S3_ENDPOINT_URL,
                    region: str = AWS_S3_REGION_NAME,
                    addressing_style: str = AWS_S3_ADDRESSING_STYLE) -> dict[str, dict]:
    """The STORAGES setting for `backend` ("filesystem" or "s3")."""
    if backend not in STORAGE_BACKENDS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"STORAGE_BACKEND must be one of {STORAGE_BACKENDS}, "
                                   f"not {backend!r}.")
    config = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if backend == "s3":
        s3 = {"bucket": bucket, "endpoint_url": endpoint_url, "region": region,
              "addressing_style": addressing_style}
        config["packages"] = {"BACKEND": "storages.backends.s3.S3Storage",
                              "OPTIONS": s3_options(prefix=AWS_S3_PACKAGES_PREFIX, **s3)}
        config["account_files"] = {"BACKEND": "storages.backends.s3.S3Storage",
                                   "OPTIONS": s3_options(prefix=AWS_S3_ACCOUNT_FILES_PREFIX, **s3)}
    else:
        config["packages"] = {"BACKEND": "ccucaas_privacy.storage.SettingFolderStorage",
                              "OPTIONS": {"setting": "PRIVATE_STORAGE_DIR"}}
        config["account_files"] = {"BACKEND": "ccucaas_privacy.storage.SettingFolderStorage",
                                   "OPTIONS": {"setting": "ACCOUNT_CONTENT_DIR"}}
    return config


STORAGES = storages_config(backend=STORAGE_BACKEND)
