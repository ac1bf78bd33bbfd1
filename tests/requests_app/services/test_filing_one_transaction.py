"""A filing is one `transaction.atomic()` of ordinary saves (issue 18, public APIs only): the
same whatever the database and whether the caller is in a transaction; the request, its first
event and its receipt email are written together or not at all; a bounded number of
statements, none of them DDL; a duplicate still points to the open request (issue 6)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts_app.services.accounts import auth_token_issue
from notifications_app.models import OutboundEmail, Status
from requests_app.models import DataSubjectRequest, RequestEvent
from requests_app.services import filing as services
from requests_app.services.filing import DuplicateRequestError
from tests.requests_app.conftest import file_portal, file_web_form

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


def counts() -> tuple[int, int, int]:
    return (DataSubjectRequest.objects.count(), RequestEvent.objects.count(),
            OutboundEmail.objects.count())


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


def test_a_filing_over_the_api_is_one_transaction_of_a_bounded_number_of_statements(alice):
    client = api_client(alice)
    file(client, type="inquiry", details={"subject": "件名", "message": "本文"})  # warm the year
    with CaptureQueriesContext(connection) as queries:
        assert file(client, type="deletion").status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any(s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")) for s in statements)
    filing = [s for s in statements if "INSERT" in s and any(
        table in s for table in ("requests_app_datasubjectrequest", "requests_app_requestevent",
                                 "notifications_app_outboundemail"))]
    assert len(filing) == 3, statements  # one INSERT per row: request, event, receipt
    assert not any("SAVEPOINT" in s for s in statements), statements  # nothing nested
    begin = next(n for n, s in enumerate(statements) if s.startswith("BEGIN"))  # SQLite: BEGIN IMMEDIATE
    end = statements.index("COMMIT", begin)
    assert statements[begin + 1:end][-3:] == filing  # one transaction holds the three rows
    # BEGIN, the reference number (nextval; SQLite: the year's counter), 3 INSERTs, COMMIT
    assert end - begin + 1 <= 7, statements[begin:end + 1]
    # + the token, the eager send, the visitor log (SQLite: its counter row is read, then written)
    # The rest is the receipt's send (eager in tests) and the visitor log. Issue 20: the sent
    # status and the campaign delivery mirror are written in one transaction (BEGIN, two
    # UPDATEs, COMMIT), so a campaign shows the outbox row's status at once.
    assert len(statements) <= (17 if connection.vendor == "postgresql" else 18), statements


def test_no_filing_creates_a_database_object_even_the_first_of_a_new_year(alice, bob):
    with CaptureQueriesContext(connection) as queries:
        first = file_portal(alice)
        new_year = file_portal(bob, "deletion",
                               now=first.received_at.replace(year=first.received_at.year + 3))
    assert new_year.reference.startswith(f"DSR-{first.received_at.year + 3}-")
    assert not any(q["sql"].lstrip().upper().startswith("CREATE")
                   for q in queries.captured_queries)


def test_a_failure_after_the_request_row_writes_none_of_the_rows(alice, monkeypatch):
    """The receipt INSERT fails in the database (its idempotency key is already taken): the
    request and its event, inserted before it in the same transaction, are gone too."""
    file_portal(alice, "disclosure")
    taken = OutboundEmail.objects.get().idempotency_key
    real_build = services.receipt_build

    def receipt_with_a_taken_key(request):
        row = real_build(request)
        row.idempotency_key = taken
        return row

    monkeypatch.setattr(services, "receipt_build", receipt_with_a_taken_key)
    before = counts()
    with pytest.raises(IntegrityError):
        file_portal(alice, "deletion")
    assert counts() == before
    assert not DataSubjectRequest.objects.filter(type="deletion").exists()


def test_a_duplicate_filing_points_to_the_open_request_and_writes_nothing(alice):
    first = file(alice, type="disclosure").json()
    before = counts()
    response = file(alice, type="disclosure")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "duplicate_request"
    assert first["reference"] in response.json()["detail"]
    assert counts() == before


def test_inside_a_callers_transaction_a_duplicate_rolls_back_only_the_filing(alice, bob):
    file_portal(alice, "disclosure")
    with transaction.atomic():
        kept = file_portal(bob, "disclosure")  # the caller's own earlier write
        with pytest.raises(DuplicateRequestError):
            file_portal(alice, "disclosure")
        again = file_portal(bob, "inquiry")  # the caller's transaction is still usable
    assert set(DataSubjectRequest.objects.filter(subject=bob).values_list("pk", flat=True)) \
        == {kept.pk, again.pk}
    assert RequestEvent.objects.filter(request__subject=bob).count() == 2


def test_a_filing_inside_and_outside_a_callers_transaction_writes_the_same_rows(alice, bob):
    outside = file_portal(alice, "correction")
    with transaction.atomic():
        inside = file_portal(bob, "correction")
    for request, user in ((outside, alice), (inside, bob)):
        assert list(RequestEvent.objects.filter(request=request).values_list("action", flat=True)) \
            == ["receive"]
        assert OutboundEmail.objects.filter(cause=f"request:{request.pk}:received",
                                            user=user).count() == 1
    assert int(inside.reference[-6:]) == int(outside.reference[-6:]) + 1


def test_a_web_form_filing_writes_request_events_and_verification_email_together(alice):
    request, sent = file_web_form(email=alice.email, type="disclosure")
    assert sent is not None
    assert list(RequestEvent.objects.filter(request=request).order_by("pk")
                .values_list("action", flat=True)) == ["receive", "send_verification"]
    assert OutboundEmail.objects.filter(kind="request_verification",
                                        recipient_email=alice.email).count() == 1


def test_the_migration_starts_the_reference_sequence_after_every_number_used(alice, bob):
    """requests_app/migrations/0010: on PostgreSQL the sequence continues after the highest
    reference stored (of any year) and replaces the per-year sequences filings used to create;
    elsewhere references keep their per-year counter."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("requests_app.migrations.0010_reference_sequence")
    first = file_portal(alice)
    DataSubjectRequest.objects.filter(pk=first.pk).update(reference="DSR-2025-000777")
    with connection.schema_editor() as editor:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SEQUENCE {migration.SEQUENCE}")
                cursor.execute("CREATE SEQUENCE requests_app_reference_2025")
        migration.create_sequence(apps, editor)
    second = file_portal(bob)
    if connection.vendor == "postgresql":
        assert second.reference.endswith("-000778")
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'S' "
                           "AND relname LIKE 'requests_app_reference%'")
            assert [name for (name,) in cursor.fetchall()] == [migration.SEQUENCE]
    else:
        assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
