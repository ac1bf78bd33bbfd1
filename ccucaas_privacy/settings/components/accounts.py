"""accounts_app: persistent sign-in, the visitor log, account content, account closure, API
token lifetimes, email changes and password-reset limits (issue 17)."""

from pathlib import Path

from .environment import VAR_DIR, env

# P11: 「サインイン状態の維持」 keeps the user signed in for this many days.
PERSISTENT_LOGIN_DAYS = env.int("PERSISTENT_LOGIN_DAYS", default=30)
# P10: visitor log entries are purged after this many days.
VISITOR_LOG_RETENTION_DAYS = env.int("VISITOR_LOG_RETENTION_DAYS", default=90)
# P07: account content files (private, never served directly) and the upload limit.
ACCOUNT_CONTENT_DIR = Path(env("ACCOUNT_CONTENT_DIR", default=str(VAR_DIR / "private" / "content")))
ACCOUNT_CONTENT_MAX_BYTES = env.int("ACCOUNT_CONTENT_MAX_BYTES", default=5 * 1024 * 1024)
ACCOUNT_CONTENT_DEFAULT_REGION = env("ACCOUNT_CONTENT_DEFAULT_REGION", default="us-west-2")
# Staff API tokens need a second factor and expire sooner than users' tokens (api.py: knox).
STAFF_TOKEN_TTL_HOURS = env.int("STAFF_TOKEN_TTL_HOURS", default=8)
USER_TOKEN_TTL_DAYS = env.int("USER_TOKEN_TTL_DAYS", default=30)
# An email change takes effect when the new address confirms within this many hours; the old
# address's undo link works for EMAIL_CHANGE_UNDO_DAYS.
EMAIL_CHANGE_CONFIRM_HOURS = env.int("EMAIL_CHANGE_CONFIRM_HOURS", default=24)
EMAIL_CHANGE_UNDO_DAYS = env.int("EMAIL_CHANGE_UNDO_DAYS", default=14)
# Password reset requests (Django's cache, shared when CACHES is Redis): per address and per
# client address, at most this many in the window.
PASSWORD_RESET_RATE_PER_EMAIL = env.int("PASSWORD_RESET_RATE_PER_EMAIL", default=3)
PASSWORD_RESET_RATE_PER_CLIENT = env.int("PASSWORD_RESET_RATE_PER_CLIENT", default=10)
PASSWORD_RESET_RATE_WINDOW_SECONDS = env.int("PASSWORD_RESET_RATE_WINDOW_SECONDS", default=3600)
