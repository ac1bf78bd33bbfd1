"""consent_app owns its PolicyVersion rows (issue 18): postponing goes through
`policy_version_postpone`, and publishing tells the apps above through consent's hook (P25)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ccucaas_privacy.errors import DomainError
from consent_app import services
from consent_app.hooks import policy_version_published
from consent_app.models import PolicyVersion
from notifications_app.services.campaigns import campaign_start_for_policy

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _publish(version: str, days: int, importance: str = "minor") -> PolicyVersion:
    with time_machine.travel(NOW, tick=False):
        return services.policy_version_publish(
            version=version, effective_at=NOW + timedelta(days=days), importance=importance,
            summary_ja="変更", summary_en="Change", full_text_ja="本文", full_text_en="Text")


def _refused(version: PolicyVersion, days: int) -> str:
    with pytest.raises(DomainError) as refused:
        services.policy_version_postpone(version=version, effective_at=NOW + timedelta(days=days),
                                         now=NOW)
    return refused.value.code


def test_p25_postponing_moves_the_date_later_and_not_onto_or_before_a_later_version():
    second, third = _publish("2", days=10), _publish("3", days=20)

    assert _refused(second, days=5) == "effective_at_earlier"
    assert _refused(second, days=10) == "effective_at_earlier"
    assert _refused(second, days=15) == "effective_at_conflict"  # "3" takes effect after it
    assert _refused(second, days=20) == "effective_at_conflict"  # ... or on that day
    assert PolicyVersion.objects.get(pk=second.pk).effective_at == NOW + timedelta(days=10)

    moved = services.policy_version_postpone(version=third, effective_at=NOW + timedelta(days=25),
                                             now=NOW)
    assert moved.effective_at == NOW + timedelta(days=25)
    assert PolicyVersion.objects.get(pk=third.pk).effective_at == NOW + timedelta(days=25)
    assert PolicyVersion.objects.get(pk=second.pk).effective_at == NOW + timedelta(days=10)


def test_p25_a_postponed_major_version_leaves_30_days_from_now():
    major = _publish("2", days=31, importance="major")
    later = NOW + timedelta(days=10)

    with pytest.raises(DomainError) as refused:
        services.policy_version_postpone(version=major, effective_at=later + timedelta(days=29),
                                         now=later)
    assert refused.value.code == "effective_at_too_soon"
    moved = services.policy_version_postpone(version=major, effective_at=later + timedelta(days=31),
                                             now=later)
    assert moved.effective_at == later + timedelta(days=31)


def test_p25_publishing_calls_the_hook_inside_its_transaction():
    assert campaign_start_for_policy in policy_version_published.receivers  # notifications_app

    def refuse(**kwargs):
        raise RuntimeError("receiver failed")

    policy_version_published.register(refuse)
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            _publish("2", days=40, importance="major")
    finally:
        policy_version_published.unregister(refuse)
    assert not PolicyVersion.objects.filter(version="2").exists()  # rolled back with it
