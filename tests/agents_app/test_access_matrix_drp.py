"""The access matrix (tests/hardening/test_access_matrix.py) covers agents_app's URLs (issue 23);
these are the DRP cases it cannot express."""

import uuid

import pytest
from django.urls import reverse

from tests.hardening.test_access_matrix import ADMIN, MATRIX, all_url_names

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]


def test_p18_every_agents_app_url_has_an_entry_in_the_matrix():
    ours = {n for n in all_url_names() if n.startswith(("drp-", "agents:", "admin:agents_app_"))}
    families = {n for n in ours if n.rsplit("_", 1)[-1] in
                {"changelist", "add", "change", "delete", "history"}}
    assert ours - families <= set(MATRIX) | set(ADMIN)
    assert {"drp-agent", "drp-exercise", "drp-request", "agents:verify"} <= ours


def test_an_unknown_drp_request_id_without_a_token_is_still_a_403(client):
    url = reverse("drp-request", kwargs={"request_id": uuid.uuid4()})
    assert client.get(url).status_code == 403
