"""The hooks accounts_app calls, so it never imports the apps above it (ccucaas_privacy.hooks).

Higher apps register their receivers from `AppConfig.ready()`; receivers run inside accounts'
transaction (one that raises rolls the change back).
"""

from ccucaas_privacy.hooks import Hook

# P21: `account_close` calls it with `user` and `closure` (the AccountClosure row), in the closing
# transaction, after the account is deactivated. requests_app files the deletion request.
account_closed = Hook("accounts_app.account_closed")
