"""Fixtures of the accounts tests: signing in through the real portal form."""

import pytest
from django.urls import reverse

PASSWORD = "correct-horse-battery-42"


def portal_sign_in(client, username: str, *, remember: bool = False, password: str = PASSWORD):
    """GET the sign-in page (sets the test cookie, as a browser would), then POST the form."""
    url = reverse("accounts:sign-in")
    client.get(url)
    data = {"username": username, "password": password}
    if remember:
        data["remember_me"] = "on"
    return client.post(url, data)


@pytest.fixture
def content_dir(settings, tmp_path):
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    return settings.ACCOUNT_CONTENT_DIR


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # DRF throttles count in the local-memory cache, shared by tests in one process.
    from django.core.cache import cache

    cache.clear()
