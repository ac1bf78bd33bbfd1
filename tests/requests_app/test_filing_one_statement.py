"""A portal filing outside any transaction (the API and portal views) writes the request, its
first event and its receipt email with one statement on PostgreSQL: all or nothing, and a
duplicate still points to the open request (issue 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts_app.services import auth_token_issue
from notifications_app.models import OutboundEmail, Status
from requests_app.models import DataSubjectRequest, RequestEvent

pytestmark = pytest.mark.django_db(transaction=True)


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=user)}")
    return client


def file(user_or_client, type="deletion", details=None):
    """File through the API; a user gets a new token (an INSERT), a client reuses its own."""
    client = user_or_client if isinstance(user_or_client, APIClient) else api_client(user_or_client)
    return client.post("/api/v1/requests/", {"type": type, "details": details or {}},
                       format="json")


def test_a_portal_filing_writes_request_event_and_receipt_together(alice):
    response = file(alice, details={"note": "退会に伴い削除してください 🙏"})
    assert response.status_code == 201, response.content
    request = DataSubjectRequest.objects.get(pk=response.json()["id"])
    assert request.reference == response.json()["reference"]
    assert [(e.action, e.to_status, e.actor_id) for e in RequestEvent.objects.filter(request=request)] \
        == [("receive", "received", alice.pk)]
    receipt = OutboundEmail.objects.get(cause=f"request:{request.pk}:received")
    assert receipt.status in (Status.QUEUED, Status.SENT) and receipt.user == alice
    assert receipt.context["reference"] == request.reference


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_on_postgresql_the_filing_is_a_reference_number_and_one_insert(alice):
    client = api_client(alice)  # issue 17: each token exchange is a new (knox) token row
    file(client, type="inquiry", details={"subject": "件名", "message": "本文"})  # the year's sequence
    with CaptureQueriesContext(connection) as queries:
        assert file(client, type="deletion").status_code == 201
    writes = [q["sql"] for q in queries.captured_queries
              if "nextval" in q["sql"] or "INSERT" in q["sql"] or "SAVEPOINT" in q["sql"]]
    assert len(writes) == 3, writes  # nextval, the one INSERT, the visitor log
    assert writes[0].startswith("SELECT nextval(")
    assert writes[1].startswith("WITH i0 AS (INSERT INTO \"requests_app_datasubjectrequest\"")
    assert "accounts_app_visitorlog" in writes[2]


def test_a_duplicate_filing_points_to_the_open_request_and_writes_nothing(alice):
    first = file(alice, type="disclosure").json()
    counts = (DataSubjectRequest.objects.count(), RequestEvent.objects.count(),
              OutboundEmail.objects.count())
    response = file(alice, type="disclosure")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "duplicate_request"
    assert first["reference"] in response.json()["detail"]
    assert (DataSubjectRequest.objects.count(), RequestEvent.objects.count(),
            OutboundEmail.objects.count()) == counts
