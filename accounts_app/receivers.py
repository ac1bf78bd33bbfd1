"""What accounts_app does when a lower app reports something (through that app's hooks,
ccucaas_privacy.hooks; registered from AccountsAppConfig.ready())."""

from accounts_app.services.accounts import persistent_logins_revoke_all
from consent_app.hooks import consent_withdrawn

PERSISTENT_LOGIN = "persistent_login"


def _revoke_persistent_logins(*, user, purpose: str, **_) -> None:
    """P11: withdrawing consent to persistent login ends every kept-signed-in browser."""
    if purpose == PERSISTENT_LOGIN:
        persistent_logins_revoke_all(user=user, reason="consent_withdrawn")


def connect() -> None:
    consent_withdrawn.register(_revoke_persistent_logins)
