import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, subprocess_env


def healthz_in_subprocess(**env: str) -> tuple[int, dict]:
    """GET /healthz in a fresh process configured by `env`, as a deployment would be."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=subprocess_env(**env),
        capture_output=True, text=True, timeout=60, check=True,
    )
    status, body = json.loads(out.stdout.strip().splitlines()[-1])
    return status, body


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_is_down():
    status, body = healthz_in_subprocess(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    assert status == 503
    assert body == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database_when_it_is_down():
    status, body = healthz_in_subprocess(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert status == 503
    assert body["database"] == "down"
