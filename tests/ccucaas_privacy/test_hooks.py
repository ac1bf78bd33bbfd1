"""ccucaas_privacy.hooks.Hook: the one way a lower app calls a higher one (issue 18, "One direction")."""

import pytest

from ccucaas_privacy.hooks import Hook, HookNotRegistered


def test_call_passes_keyword_arguments_to_every_receiver_and_returns_results_in_order():
    hook = Hook("test.numbers")
    hook.register(lambda *, n: n + 1)
    hook.register(lambda *, n: n * 10)

    assert hook.call(n=2) == [3, 20]


def test_call_with_no_receiver_returns_an_empty_list():
    assert Hook("test.nobody").call(anything=1) == []


def test_register_is_idempotent_for_the_same_function_and_works_as_a_decorator():
    hook = Hook("test.idempotent")
    calls = []

    @hook.register
    def receiver(*, value):
        calls.append(value)
        return value

    hook.register(receiver)
    hook.register(receiver)

    assert hook.call(value="x") == ["x"]
    assert calls == ["x"]
    assert receiver(value="direct") == "direct"  # the decorator returned the function itself
    assert hook.receivers == (receiver,)


def test_register_refuses_a_non_callable():
    with pytest.raises(TypeError, match="not callable"):
        Hook("test.bad").register("not a function")


def test_call_one_returns_the_single_receivers_result():
    hook = Hook("test.one")
    hook.register(lambda *, user_id: f"deleted {user_id}")

    assert hook.call_one(user_id=7) == "deleted 7"


def test_call_one_without_a_receiver_names_the_hook_in_a_clear_error():
    with pytest.raises(HookNotRegistered, match=r"test\.required needs exactly one receiver, has 0"):
        Hook("test.required").call_one(user_id=1)


def test_call_one_with_two_receivers_is_an_error():
    hook = Hook("test.two")
    hook.register(lambda **kw: 1)
    hook.register(lambda **kw: 2)

    with pytest.raises(HookNotRegistered, match="has 2"):
        hook.call_one()


def test_an_exception_in_a_receiver_reaches_the_caller_and_stops_later_receivers():
    hook = Hook("test.raises")
    later = []

    def boom(**kw):
        raise ValueError("refused")

    hook.register(boom)
    hook.register(lambda **kw: later.append(kw))

    with pytest.raises(ValueError, match="refused"):
        hook.call(x=1)
    assert later == []


def test_unregister_removes_a_receiver():
    hook = Hook("test.unregister")

    def receiver(**kw):
        return "r"

    hook.register(receiver)
    hook.unregister(receiver)
    hook.unregister(receiver)

    assert hook.call() == []
