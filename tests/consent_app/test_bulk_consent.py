"""P02/P19: the batch lookup of marketing consent agrees with the one-user rule."""

import pytest

from consent_app.selectors import consent_is_granted, users_with_consent
from consent_app.services import consent_grant, consent_withdraw

pytestmark = pytest.mark.django_db


def test_p02_users_with_consent_follows_the_latest_event_of_each_user(make_user):
    never, granted, withdrawn, regranted = (make_user(n) for n in ("never", "granted", "gone", "back"))
    consent_grant(user=granted, purpose="marketing_email", channel="portal")
    consent_grant(user=withdrawn, purpose="marketing_email", channel="portal")
    consent_withdraw(user=withdrawn, purpose="marketing_email", channel="email_link")
    consent_grant(user=regranted, purpose="marketing_email", channel="portal")
    consent_withdraw(user=regranted, purpose="marketing_email", channel="portal")
    consent_grant(user=regranted, purpose="marketing_email", channel="api")
    everyone = [never, granted, withdrawn, regranted]

    found = users_with_consent(user_ids=[u.pk for u in everyone], purpose="marketing_email")

    assert found == {granted.pk, regranted.pk}
    assert found == {u.pk for u in everyone if consent_is_granted(user=u, purpose="marketing_email")}
    assert users_with_consent(user_ids=[granted.pk], purpose="analytics_tracking") == set()
