"""consent_app's demo seed: idempotent, works with and without the demo users."""

import io

import pytest

from consent_app import demo, selectors
from consent_app.models import ConsentEvent, PolicyVersion, ProvisionRecord

pytestmark = pytest.mark.django_db


def test_seed_without_users_publishes_upcoming_minor_v2():
    demo.seed(io.StringIO())
    v2 = PolicyVersion.objects.get(version="2")
    assert v2.importance == "minor" and selectors.policy_version_upcoming() == v2
    assert not ConsentEvent.objects.exists()


def test_seed_is_idempotent_with_demo_users(alice, bob):
    demo.seed(io.StringIO())
    counts = (ConsentEvent.objects.count(), ProvisionRecord.objects.count())
    demo.seed(io.StringIO())
    assert (ConsentEvent.objects.count(), ProvisionRecord.objects.count()) == counts
    assert ProvisionRecord.objects.filter(user=alice).count() == 2
    assert PolicyVersion.objects.count() == 2
    assert selectors.testimonials_published().count() == 2
