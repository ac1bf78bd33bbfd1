"""Session engine: Django's database sessions, each row also linked to its user.

With the user on the row, one persistent login can be revoked (its session deleted, so that
browser is signed out) and all of a user's sessions can be ended at once (P11).
Set with `SESSION_ENGINE = "accounts_app.sessions"`.
"""

from django.contrib.sessions.backends.db import SessionStore as DBSessionStore


class SessionStore(DBSessionStore):
    @classmethod
    def get_model_class(cls):
        from accounts_app.models import AccountSession

        return AccountSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get("_auth_user_id"))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
