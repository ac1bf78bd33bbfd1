"""Retention (APPI Art. 22; issue 21): how long each category of personal data is kept once it
is no longer needed, in days, each overridable by env. The data sources name their key
(`ccucaas_privacy.datasources.Retention.setting`); the retention sweep erases or anonymises
what has outlived it, in batches of RETENTION_SWEEP_BATCH rows per transaction.

Records of provision to third parties: 3 years. 個人情報保護法施行規則 第21条 (提供者の記録の
保存期間; the recipient's records, 第25条) keeps them 1 year only where the record is the
contract or other document of a supply of goods or services to the person (第19条第3項);
ours are separate records made per provision, so the 3-year period applies.
"""

from .environment import env

RETENTION = {
    # Visitor logs (P10): VISITOR_LOG_RETENTION_DAYS (components/accounts.py), 90 days.
    "usage_records": env.int("RETENTION_USAGE_RECORDS_DAYS", default=365),
    "usage_daily": env.int("RETENTION_USAGE_DAILY_DAYS", default=730),
    # Expired or revoked sessions, persistent logins, API tokens: after their end.
    "sessions": env.int("RETENTION_SESSIONS_DAYS", default=30),
    "outbound_emails": env.int("RETENTION_OUTBOUND_EMAILS_DAYS", default=365),
    # Closed requests: pseudonymised this long after closing (evidence of the answer stays).
    "closed_requests": env.int("RETENTION_CLOSED_REQUESTS_DAYS", default=1095),
    "provisions": env.int("RETENTION_PROVISIONS_DAYS", default=1095),
}
RETENTION_SWEEP_BATCH = env.int("RETENTION_SWEEP_BATCH", default=5000)
