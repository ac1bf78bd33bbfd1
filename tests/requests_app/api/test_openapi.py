"""The OpenAPI schema of the API validates, with no warnings, and documents the contract paths."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/requests/", "/api/v1/requests/{id}/", "/api/v1/requests/{id}/withdraw/",
    "/api/v1/staff/requests/", "/api/v1/staff/requests/{id}/assign/",
    "/api/v1/staff/requests/{id}/verify-identity/", "/api/v1/staff/requests/{id}/reply/",
    "/api/v1/staff/requests/{id}/reject/",
]


def test_schema_validates_without_warnings_and_has_the_contract_paths(tmp_path):
    import yaml

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    paths = {p.replace("{pk}", "{id}") for p in schema["paths"]}
    assert set(CONTRACT_PATHS) <= paths
    create = schema["paths"]["/api/v1/requests/"]["post"]
    assert "201" in create["responses"]


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
