"""What accounts_app does when other apps report something."""

from consent_app.signals import consent_withdrawn

PERSISTENT_LOGIN = "persistent_login"


def _revoke_persistent_logins(*, user, purpose: str, **_) -> None:
    """P11: withdrawing consent to persistent login ends every kept-signed-in browser."""
    if purpose == PERSISTENT_LOGIN:
        from accounts_app.services import persistent_logins_revoke_all

        persistent_logins_revoke_all(user=user, reason="consent_withdrawn")


def connect() -> None:
    consent_withdrawn.connect(_revoke_persistent_logins, dispatch_uid="accounts_revoke_persistent_logins")
