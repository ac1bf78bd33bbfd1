"""requests_app: deadlines, identity verification, free-text limits, the help-desk form and the
monthly compliance report."""

from .environment import env

# Deadlines (RULES.md P21, P26): every offset of the deadline engine, in one place.
DEADLINES = {
    "REPLY_REMINDER_DAYS_BEFORE": env.list("DEADLINE_REPLY_REMINDER_DAYS", cast=int, default=[7, 3, 1]),
    "OVERDUE_REPEAT_HOURS": env.int("DEADLINE_OVERDUE_REPEAT_HOURS", default=24),
    "PROPAGATION_WARNING_HOURS_BEFORE": env.int("DEADLINE_PROPAGATION_WARNING_HOURS", default=12),
    "VERIFICATION_EXPIRY_DAYS": env.int("DEADLINE_VERIFICATION_EXPIRY_DAYS", default=14),
    "VERIFICATION_CODE_TTL_HOURS": env.int("DEADLINE_VERIFICATION_CODE_TTL_HOURS", default=24),
    # The one reminder to a help-desk or web-form requester who has not verified (issue 21).
    "VERIFICATION_REMINDER_HOURS_BEFORE": env.int("DEADLINE_VERIFICATION_REMINDER_HOURS", default=6),
}
# Identity verification of help-desk and web-form requests, and limits on free text.
REQUESTS = {
    "VERIFICATION_MAX_WRONG_CODES": env.int("REQUESTS_VERIFICATION_MAX_WRONG_CODES", default=5),
    "VERIFICATION_MAX_SENDS": env.int("REQUESTS_VERIFICATION_MAX_SENDS", default=4),
    "VERIFICATION_RESEND_INTERVAL_SECONDS": env.int("REQUESTS_VERIFICATION_RESEND_INTERVAL", default=60),
    "TEXT_MAX_CHARS": env.int("REQUESTS_TEXT_MAX_CHARS", default=5000),
    "CORRECTION_MAX_ITEMS": env.int("REQUESTS_CORRECTION_MAX_ITEMS", default=20),
    # Disclosure and deletion through the API: the password must have been proven this
    # recently (POST /api/v1/auth/token/), or be sent with the request (the portal asks anew).
    "API_REAUTH_SECONDS": env.int("REQUESTS_API_REAUTH_SECONDS", default=900),
}
# Representatives (APPI Art. 37(3), issue 21): proof-of-authority uploads (PDF, PNG, JPEG) and
# how long the person's link to object to a request made in their name works.
REPRESENTATIVE_PROOF_MAX_BYTES = env.int("REPRESENTATIVE_PROOF_MAX_BYTES", default=10 * 1024 * 1024)
REPRESENTATIVE_PROOF_MAX_FILES = env.int("REPRESENTATIVE_PROOF_MAX_FILES", default=5)
REPRESENTATIVE_OBJECTION_DAYS = env.int("REPRESENTATIVE_OBJECTION_DAYS", default=60)
# The public help-desk form: at most this many submissions per client address per window.
HELPDESK_RATE_LIMIT = env.int("HELPDESK_RATE_LIMIT", default=10)
HELPDESK_RATE_WINDOW_SECONDS = env.int("HELPDESK_RATE_WINDOW_SECONDS", default=3600)
# P23: the day of the month (JST) the compliance report is emailed to privacy officers.
COMPLIANCE_REPORT_DAY = env.int("COMPLIANCE_REPORT_DAY", default=1)
