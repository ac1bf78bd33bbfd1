"""ccucaas_privacy.db.insert_together: new rows of different models in one round trip on
PostgreSQL (one statement of CTEs), one save each elsewhere; all or nothing."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from ccucaas_privacy import clock
from ccucaas_privacy.db import insert_together
from notifications_app.models import OutboundEmail
from requests_app.models import DataSubjectRequest, RequestEvent

pytestmark = pytest.mark.django_db

TEXT = "<script>alert(1)</script> 開示してください 🙏 O'Brien \\ %s %% ;"


def new_rows(user, *, reference="DSR-2026-900001", key="k" * 64, type="disclosure"):
    now = clock.now()
    request = DataSubjectRequest(reference=reference, type=type, channel="portal",
                                 subject=user, details={"note": TEXT}, status="received",
                                 received_at=now, reply_due_at=now, language="ja")
    event = RequestEvent(request=request, actor=user, action="receive", from_status="",
                         to_status="received", note=TEXT, created_at=now)
    email = OutboundEmail(user=user, recipient_email=user.email, kind="request_received",
                          category="mandatory", language="ja", cause=f"test:{reference}",
                          context={"reference": reference, "text": TEXT},
                          idempotency_key=key, status="queued", next_attempt_at=now)
    return request, event, email


def test_rows_of_three_models_are_written_as_save_would_write_them(alice):
    request, event, email = new_rows(alice)
    insert_together([request, event, email])

    assert event.pk is not None and email.pk is not None  # keys the database generated
    assert not any(obj._state.adding for obj in (request, event, email))
    stored = DataSubjectRequest.objects.get(pk=request.pk)
    assert stored.details == {"note": TEXT} and stored.subject == alice
    assert stored.created_at is not None  # the field default, as save() applies it
    assert RequestEvent.objects.get(pk=event.pk).note == TEXT
    row = OutboundEmail.objects.get(pk=email.pk)
    assert row.context == {"reference": "DSR-2026-900001", "text": TEXT}
    assert row.public_id == email.public_id and row.created_at == email.created_at  # auto_now_add


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_on_postgresql_they_travel_as_one_statement(alice):
    with CaptureQueriesContext(connection) as queries:
        insert_together(list(new_rows(alice)))
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("WITH i0 AS (INSERT INTO")


def test_a_violation_in_one_of_them_writes_none_of_them(alice):
    insert_together(list(new_rows(alice, reference="DSR-2026-900001", key="a" * 64)))
    # the same idempotency key again: the email's unique constraint fails
    request, event, email = new_rows(alice, reference="DSR-2026-900002", key="a" * 64,
                                     type="deletion")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together([request, event, email])
    assert not DataSubjectRequest.objects.filter(reference="DSR-2026-900002").exists()
    assert RequestEvent.objects.count() == 1 and OutboundEmail.objects.count() == 1


def django_compiled(obj, fields, returning):
    from django.db.models.sql.subqueries import InsertQuery

    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using="default")
    compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    return sql, params


def rendered(sql, params):
    """The statement as the database receives it (adapted parameters have no __eq__)."""
    if connection.vendor == "postgresql":
        return connection.ops.compose_sql(sql, params)
    return sql, list(params)


def test_a_kept_insert_and_its_values_are_what_django_compiles_for_each_row(alice, monkeypatch):
    from django.utils import timezone

    from ccucaas_privacy.db import _PLAIN_INSERTS, _insert_sql

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # auto_now fields: the same each time
    _PLAIN_INSERTS.clear()
    for obj in new_rows(alice):
        meta = obj._meta
        fields = [f for f in meta.local_concrete_fields if not f.generated
                  and f is not meta.auto_field]
        # as insert_together asks: RETURNING the key the database generates (event, email)
        returning = [meta.auto_field] if meta.auto_field else []
        first = _insert_sql(obj, fields, returning, "default")  # compiled by Django, then kept
        assert (type(obj), tuple(fields), tuple(returning), "default") in _PLAIN_INSERTS
        kept = _insert_sql(obj, fields, returning, "default")  # the kept SQL, values converted
        assert rendered(*kept) == rendered(*first) == rendered(
            *django_compiled(obj, fields, returning))
    assert len(_PLAIN_INSERTS) == 3


def test_a_row_with_an_expression_value_is_compiled_by_django_every_time(alice):
    from django.db.models import Value
    from django.db.models.functions import Concat

    from ccucaas_privacy.db import _insert_sql

    request, event, email = new_rows(alice)
    insert_together([request, event, email])  # keeps the event's plain INSERT
    _request, event, _email = new_rows(alice, reference="DSR-2026-900003", key="b" * 64,
                                       type="deletion")
    event.request = request
    event.note = Concat(Value("移送 "), Value("note"))
    fields = [f for f in RequestEvent._meta.local_concrete_fields
              if f is not RequestEvent._meta.auto_field]
    sql, _params = _insert_sql(event, fields, [], "default")
    assert "||" in sql or "CONCAT" in sql.upper()
    event.save(force_insert=True)
    assert RequestEvent.objects.get(pk=event.pk).note == "移送 note"
