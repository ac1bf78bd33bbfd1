"""Correction (RULES P21; DESIGN section 6): staff accept or reject each item with a note; the
accepted ones are applied through the sources after the reply, copies updated too."""

import pytest

from accounts_app.models import PersistentLogin, User
from ccucaas_privacy.errors import ConflictError, DomainError
from requests_app.models import CorrectionDecision, Processor, Propagation, Status
from requests_app.services import filing, fulfilment, transitions
from tests.requests_app.fake_processor import FakeProcessor
from tests.requests_app.fulfilment_data import LAST_NAME, rich_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_dirs")]
NEW_EMAIL = "hanako.suzuki@example.jp"


@pytest.fixture
def correction(make_user, run):
    user = run(rich_user, make_user)
    items = [{"field": "last_name", "requested_value": "Suzuki", "reason": "married"},
             {"field": "email", "requested_value": NEW_EMAIL},
             {"field": "username", "requested_value": "hanako-new"}]
    request, _sent = run(filing.request_file, type="correction", channel="portal",
                         details={"items": items}, subject=user)
    return user, request


def test_p21_accepted_items_are_applied_after_the_reply_rejected_ones_are_not(
        correction, officer, run, monkeypatch, settings):
    user, request = correction
    settings.FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = True  # the fake provider is on 127.0.0.1
    secret = "s3cret-webhook-key-of-32-bytes-or-more"
    monkeypatch.setenv("PROCESSOR_SECRET_TEST_HOOK", secret)
    with FakeProcessor(webhook_secret=secret) as fake:
        Processor.objects.create(name="Storage Co", purpose="storage", country="SG",
                                 connector="webhook", endpoint_url=f"{fake.url}/hook",
                                 secret_env="PROCESSOR_SECRET_TEST_HOOK")
        run(fulfilment.correction_item_decide, request=request, index=0, accept=True,
            note="confirmed by the family register", actor=officer)
        run(fulfilment.correction_item_decide, request=request, index=1, accept=True, note="",
            actor=officer)
        run(fulfilment.correction_item_decide, request=request, index=2, accept=False,
            note="usernames cannot be reused", actor=officer)
        user.refresh_from_db()
        assert user.last_name == LAST_NAME  # nothing before the reply
        run(transitions.request_reply, request=request, actor=officer, text="訂正します。")
        sent = fake.bodies("/hook")

    user.refresh_from_db()
    assert (user.last_name, user.email, user.username) == ("Suzuki", NEW_EMAIL, "hanako-y")
    assert set(PersistentLogin.objects.filter(user=user).values_list("email", flat=True)) == {NEW_EMAIL}
    assert sent[0]["type"] == "rectification"
    assert sent[0]["changes"] == {"last_name": "Suzuki", "email": NEW_EMAIL}
    sources = set(Propagation.objects.filter(request=request, processor=None)
                  .values_list("source", flat=True))
    assert sources == {"profile", "sessions"}
    request.refresh_from_db()
    assert request.status == Status.REPLIED  # the provider has not confirmed yet


def test_p21_correction_with_every_item_rejected_completes_at_once(correction, officer, run):
    user, request = correction
    for index in range(3):
        run(fulfilment.correction_item_decide, request=request, index=index, accept=False,
            note="not accurate", actor=officer)
    run(transitions.request_reply, request=request, actor=officer, text="訂正できません。")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert User.objects.get(pk=user.pk).last_name == LAST_NAME


def test_p21_a_correction_is_replied_to_only_once_every_item_is_decided(correction, officer, run):
    """Issue 19 item 2: with items undecided the reply is refused and nothing changes."""
    user, request = correction
    run(fulfilment.correction_item_decide, request=request, index=0, accept=True, note="",
        actor=officer)
    with pytest.raises(ConflictError) as refused:
        transitions.request_reply(request=request, actor=officer, text="訂正します。")
    assert refused.value.code == "correction_undecided"
    request.refresh_from_db()
    assert request.status == Status.RECEIVED and request.replied_at is None
    for index, accept in ((1, False), (2, False)):
        run(fulfilment.correction_item_decide, request=request, index=index, accept=accept,
            note="記録と一致しません", actor=officer)
    run(transitions.request_reply, request=request, actor=officer, text="訂正します。")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert User.objects.get(pk=user.pk).last_name == "Suzuki"


def test_p21_refusing_an_item_needs_a_reason(correction, officer):
    _user, request = correction
    with pytest.raises(DomainError) as refused:
        fulfilment.correction_item_decide(request=request, index=0, accept=False, note="  ",
                                          actor=officer)
    assert "note" in refused.value.details
    assert not CorrectionDecision.objects.exists()


def test_bad_decisions_are_refused_and_change_nothing(correction, officer, run, alice):
    _user, request = correction
    with pytest.raises(DomainError):
        fulfilment.correction_item_decide(request=request, index=3, accept=True, note="",
                                          actor=officer)
    with pytest.raises(DomainError):
        fulfilment.correction_item_decide(request=request, index=0, accept=True, note="x" * 6000,
                                          actor=officer)
    other, _sent = run(filing.request_file, type="deletion", channel="portal", details={},
                       subject=alice)
    with pytest.raises(ConflictError):
        fulfilment.correction_item_decide(request=other, index=0, accept=True, note="",
                                          actor=officer)
    assert not CorrectionDecision.objects.exists()
    assert not request.events.filter(action="correction_item_decide").exists()
