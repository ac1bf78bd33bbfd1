"""Demo data of this app for `manage.py seed_demo`. Must be idempotent."""

from typing import TextIO


def seed(stdout: TextIO) -> None:
    """Nothing yet."""
