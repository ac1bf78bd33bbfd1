"""Policy versions and acceptances (P25)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.evidence import AppendOnlyError
from consent_app import selectors, services
from consent_app.models import PolicyAcceptance, PolicyVersion

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _publish(**overrides):
    fields = dict(version="2", effective_at=NOW + timedelta(days=30), importance="major",
                  summary_ja="第三者提供の記録を開示対象に追加", summary_en="Provision records disclosed",
                  full_text_ja="本文", full_text_en="Text")
    fields.update(overrides)
    return services.policy_version_publish(**fields)


def test_p25_version_1_is_the_2025_07_30_policy_with_full_japanese_text():
    v1 = PolicyVersion.objects.get(version="1")
    assert v1.effective_at == datetime(2025, 7, 29, 15, 0, tzinfo=UTC)  # 2025-07-30 00:00 JST
    assert v1.full_text_ja.startswith("発行日: 2025年7月30日")
    assert "30日前にユーザーに電子メールで通知します" in v1.full_text_ja
    assert "English summary" in v1.full_text_en
    assert selectors.policy_version_current() == v1


@time_machine.travel(NOW, tick=False)
def test_p25_major_version_with_29_days_23_hours_notice_is_refused():
    with pytest.raises(DomainError) as exc:
        _publish(effective_at=NOW + timedelta(days=29, hours=23))
    assert exc.value.code == "policy_version_invalid"
    assert "30日" in exc.value.message
    assert "effective_at" in exc.value.details
    assert not PolicyVersion.objects.filter(version="2").exists()


@time_machine.travel(NOW, tick=False)
def test_p25_major_version_with_exactly_30_days_notice_is_published():
    version = _publish(effective_at=NOW + timedelta(days=30))
    assert version.published_at == NOW
    assert selectors.policy_version_upcoming() == version
    assert selectors.policy_version_current().version == "1"


@time_machine.travel(NOW, tick=False)
def test_p25_minor_version_needs_no_30_days_but_a_future_date():
    assert _publish(importance="minor", effective_at=NOW + timedelta(days=1)).version == "2"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("importance", ["major", "minor"])
def test_p25_effective_date_in_the_past_is_refused(importance):
    with pytest.raises(DomainError) as exc:
        _publish(importance=importance, effective_at=NOW - timedelta(minutes=1))
    assert "未来" in exc.value.message
    assert PolicyVersion.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_duplicate_label_and_missing_summary_are_refused():
    with pytest.raises(DomainError):
        _publish(version="1")
    with pytest.raises(DomainError) as exc:
        _publish(summary_en="  ")
    assert "summary" in exc.value.details
    assert PolicyVersion.objects.count() == 1


def test_naive_effective_date_is_refused():
    with pytest.raises(ValueError, match="naive"):
        _publish(effective_at=datetime(2027, 1, 1))  # noqa: DTZ001


def test_p25_explicit_acceptance_is_recorded_once(alice):
    v1 = selectors.policy_version_current()
    one = services.policy_accept(user=alice, version=v1, channel="signup", ip="192.0.2.9")
    two = services.policy_accept(user=alice, version=v1, channel="portal")
    assert one.pk == two.pk
    assert (one.kind, one.channel, one.ip) == ("accepted", "signup", "192.0.2.9")
    with pytest.raises(AppendOnlyError):
        one.delete()


def test_p25_deemed_acceptance_is_recorded_once_after_the_effective_date(alice):
    with time_machine.travel(NOW, tick=False):
        v2 = _publish(importance="minor", effective_at=NOW + timedelta(days=2))
        assert services.policy_deemed_accept(user=alice) is not None  # deemed for v1
    with time_machine.travel(NOW + timedelta(days=2, seconds=1), tick=False):
        first = services.policy_deemed_accept(user=alice)
        second = services.policy_deemed_accept(user=alice)
    assert (first.version, first.kind) == (v2, "deemed")
    assert second is None
    assert PolicyAcceptance.objects.filter(user=alice, version=v2).count() == 1


def test_p25_no_deemed_acceptance_when_the_user_accepted(alice):
    v1 = selectors.policy_version_current()
    services.policy_accept(user=alice, version=v1, channel="portal")
    assert services.policy_deemed_accept(user=alice) is None
    assert PolicyAcceptance.objects.filter(user=alice).count() == 1
