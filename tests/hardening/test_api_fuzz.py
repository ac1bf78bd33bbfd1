"""Schemathesis against the served OpenAPI schema (`/api/schema/`), in-process over WSGI, every
operation, as a signed-in user and as a privacy officer (token auth): no 5xx, and every response
(status code, content type, headers, body) conforms to the schema. Bounded and deterministic:
a fixed seed, derandomized Hypothesis, a few examples per operation.
"""

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ccucaas_privacy.wsgi import application

pytestmark = [pytest.mark.rule("P18"), pytest.mark.django_db]

MAX_EXAMPLES = 12
# What the issue asks: no 5xx, and responses that conform to the schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def _generated_schema() -> dict:
    """The schema /api/schema/ serves (test_served_schema_is_the_one_fuzzed proves it)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


schema = schemathesis.openapi.from_dict(_generated_schema())
schema.app = application  # calls go in-process through Django's WSGI handler
schema.config.seed = 20261129


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: requests served in-process must not close the test's
    database connection (it holds the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_served_schema_is_the_one_fuzzed(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content) == _generated_schema()


@pytest.fixture
def tokens(make_user, officer):
    from django.contrib.auth.models import Group

    user = make_user("fuzzuser")
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    from tests.accounts_app.staff import api_token

    # Issue 17: the staff token is issued with the second factor, as the token endpoint does.
    return {"user_obj": user, **{role: api_token(who) for role, who in
                                 (("user", user), ("staff", officer))}}


@pytest.fixture
def real_ids(tokens):
    """Objects of the fuzzing user, so generated requests also reach existing rows."""
    from consent_app.services import consent_grant
    from requests_app.services.filing import request_file

    user = tokens["user_obj"]
    event = consent_grant(user=user, purpose="marketing_email", channel="api")
    request, _sent = request_file(type="disclosure", channel="portal",
                                  details={}, subject=user)
    return {"id": str(request.pk), "receipt_id": str(event.receipt_id), "version": "1"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_p18_api_answers_every_generated_request_within_its_schema(case, tokens, real_ids):
    generated = dict(case.path_parameters or {})
    path_sets = [generated]
    if generated:  # the same request once more against rows that exist
        path_sets.append({name: real_ids.get(name, value) for name, value in generated.items()})
    for path_parameters in path_sets:
        case.path_parameters = path_parameters
        for role in ("user", "staff"):
            cache.clear()  # throttles count per process; a fuzzer is not an abuser here
            response = case.call(headers={"Authorization": f"Token {tokens[role]}",
                                          "X-Access-Reason": "fuzzing the staff API"})
            case.validate_response(response, checks=CHECKS)
