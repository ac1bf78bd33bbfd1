"""Private files through Django's storage API (issue 20; settings/components/storage.py).

Packages and account files are reached only by name through `storages["packages"]` and
`storages["account_files"]`: on S3 there is no local path, so nothing here offers one.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible


@deconstructible(path="ccucaas_privacy.storage.SettingFolderStorage")
class SettingFolderStorage(FileSystemStorage):
    """A private local folder named by a setting, read on each use (so `make run`, tests and a
    worker started with another environment each find theirs). Never web-served: no URL."""

    def __init__(self, *, setting: str, **kwargs) -> None:
        self.setting = setting
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(getattr(settings, self.setting))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; download them through an owner-only view.")


def named_storage(alias: str) -> Storage:
    """The storage configured as STORAGES[alias] ("packages", "account_files")."""
    return storages[alias]


class NamedStorage(Storage):
    """STORAGES[alias], looked up on every call: a model's FileField resolves its storage once,
    when the model class is built; this keeps it following the STORAGES setting."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    @property
    def target(self) -> Storage:
        return storages[self.alias]


def _delegate(method: str):
    def call(self: NamedStorage, *args, **kwargs):
        return getattr(self.target, method)(*args, **kwargs)

    call.__name__ = call.__qualname__ = method
    return call


# Every public method of Storage, answered by the configured storage of the moment.
for _method in ("open", "save", "get_valid_name", "get_alternative_name", "get_available_name",
                "generate_filename", "path", "delete", "exists", "listdir", "size", "url",
                "get_accessed_time", "get_created_time", "get_modified_time"):
    setattr(NamedStorage, _method, _delegate(_method))
