"""The hooks consent_app calls, so it never imports the apps above it (ccucaas_privacy.hooks).

Higher apps register their receivers from `AppConfig.ready()`. Receivers run inside consent's
transaction: one that raises rolls the consent change back, so a receiver does only what the
change implies.
"""

from ccucaas_privacy.hooks import Hook

# P25: `policy_version_publish` calls it with `version` (the new PolicyVersion) and `actor`, in the
# publishing transaction. notifications_app starts the notice campaign of a major version.
policy_version_published = Hook("consent_app.policy_version_published")

# `consent_withdraw` calls it with `user`, `purpose` (the full code) and `event` (the ledger row),
# in the withdrawing transaction. accounts_app ends persistent logins (P11).
consent_withdrawn = Hook("consent_app.consent_withdrawn")
