"""notification_queue: one row per (cause, recipient, kind); bad input changes nothing."""

import pytest
from django.db import transaction
from django.test import override_settings

from ccucaas_privacy.errors import DomainError
from notifications_app.kinds import Category, KindRegistryError, register_kind
from notifications_app.models import OutboundEmail, Status
from notifications_app.services.outbox import notification_queue
from tests.notifications_app.conftest import committed, queue

NOTICE = {"title": "Maintenance", "body": "The portal is down on Sunday.",
          "effective_date": "2026-12-06"}

pytestmark = pytest.mark.django_db


def test_p19_repeated_calls_with_one_key_write_one_row_and_send_one_email(alice, outbox):
    for _ in range(3):
        row = queue(kind="administrative_notice", cause="maintenance:2026-12-06",
                                 context=NOTICE, user=alice)
    assert OutboundEmail.objects.count() == 1
    assert len(outbox) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 1


def test_another_cause_or_recipient_is_another_email(alice, bob, outbox):
    queue(kind="administrative_notice", cause="a", context=NOTICE, user=alice)
    queue(kind="administrative_notice", cause="b", context=NOTICE, user=alice)
    queue(kind="administrative_notice", cause="a", context=NOTICE, user=bob)
    queue(kind="administrative_notice", cause="a", context=NOTICE,
                       email="someone@example.org", language="en")
    assert OutboundEmail.objects.count() == 4
    assert sorted(m.to[0] for m in outbox) == sorted(
        ["alice@example.jp", "alice@example.jp", "bob@example.com", "someone@example.org"])


def test_the_row_is_written_in_the_callers_transaction_and_sent_only_after_commit(alice, outbox):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        notification_queue(kind="administrative_notice", cause="rolled-back", context=NOTICE,
                           user=alice)
        assert OutboundEmail.objects.count() == 1
        assert outbox == []  # nothing leaves before the cause is committed
        raise RuntimeError("the change that caused the email failed")
    assert OutboundEmail.objects.count() == 0
    assert outbox == []


def test_recipient_language_comes_from_the_user_and_an_unknown_one_falls_back_to_japanese(
        alice, bob, outbox):
    assert queue(kind="administrative_notice", cause="c", context=NOTICE,
                              user=bob).language == "en"
    assert queue(kind="administrative_notice", cause="c", context=NOTICE,
                              user=alice).language == "ja"
    row = queue(kind="administrative_notice", cause="c", context=NOTICE,
                             email="x@example.org", language="fr")
    assert row.language == "ja"
    assert "重要なお知らせ" in outbox[-1].subject


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"kind": "no_such_kind"}, "unknown_kind"),
    ({"kind": "administrative_notice", "email": "", "user": None}, "recipient_missing"),
    ({"kind": "administrative_notice", "email": "not-an-address", "user": None},
     "recipient_invalid"),
    ({"kind": "administrative_notice", "context": {"when": object()}}, "context_invalid"),
    ({"kind": "administrative_notice", "context": {"pair": (1, 2)}}, "context_invalid"),
    ({"kind": "administrative_notice", "context": {"body": "x" * 40000}}, "context_too_large"),
    ({"kind": "administrative_notice", "context": ["not", "an", "object"]}, "context_invalid"),
    ({"kind": "administrative_notice", "cause": ""}, "cause_invalid"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(alice, outbox, kwargs, code):
    call = {"cause": "bad", "context": NOTICE, "user": alice, **kwargs}
    with pytest.raises(DomainError) as error:
        queue(**call)
    assert error.value.code == code
    assert error.value.message
    assert OutboundEmail.objects.count() == 0
    assert outbox == []


def test_a_user_without_an_email_address_is_refused(make_user, outbox):
    carol = make_user("carol")
    carol.email = ""  # e.g. an anonymised account
    with pytest.raises(DomainError) as error:
        queue(kind="administrative_notice", cause="x", context=NOTICE, user=carol)
    assert error.value.code == "recipient_missing"
    assert OutboundEmail.objects.count() == 0


def test_a_kind_without_templates_is_refused_at_queue_time(alice, outbox):
    register_kind("kind_without_templates", category=Category.MANDATORY)
    with pytest.raises(DomainError) as error:
        queue(kind="kind_without_templates", cause="x", context={}, user=alice)
    assert error.value.code == "template_missing"
    assert "kind_without_templates" in error.value.message
    assert OutboundEmail.objects.count() == 0


def test_registering_an_unknown_category_or_a_second_category_is_refused():
    with pytest.raises(KindRegistryError, match="Unknown email category"):
        register_kind("some_kind", category="newsletter")
    with pytest.raises(KindRegistryError, match="already registered as 'mandatory'"):
        register_kind("administrative_notice", category=Category.MARKETING)
    with pytest.raises(KindRegistryError, match="lower-case"):
        register_kind("../etc/passwd", category=Category.MANDATORY)


@override_settings(NOTIFICATIONS={**__import__("django.conf").conf.settings.NOTIFICATIONS,
                                  "MAX_CONTEXT_BYTES": 100})
def test_context_size_limit_is_a_setting(alice):
    with pytest.raises(DomainError) as error:
        queue(kind="administrative_notice", cause="x",
                           context={"body": "y" * 200}, user=alice)
    assert error.value.code == "context_too_large"
