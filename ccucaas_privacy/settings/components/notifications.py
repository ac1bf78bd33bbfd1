"""notifications_app: the email outbox and the campaigns (issue 10)."""

from .environment import env

# The email outbox: retries with exponential backoff (seconds to minutes, never days), the
# minute-ly sweep's staleness thresholds (sending > the task's hard time limit), context limit.
NOTIFICATIONS = {
    "MAX_ATTEMPTS": env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6),
    "RETRY_BASE_SECONDS": env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=10),
    "RETRY_MAX_SECONDS": env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=300),
    "STALE_QUEUED_SECONDS": env.int("NOTIFICATIONS_STALE_QUEUED_SECONDS", default=300),
    "STALE_SENDING_SECONDS": env.int("NOTIFICATIONS_STALE_SENDING_SECONDS", default=600),
    "SWEEP_BATCH": env.int("NOTIFICATIONS_SWEEP_BATCH", default=1000),
    # rows committed together are sent by one task per this many rows (one claim, one load)
    "SEND_BATCH": env.int("NOTIFICATIONS_SEND_BATCH", default=100),
    "MAX_CONTEXT_BYTES": env.int("NOTIFICATIONS_MAX_CONTEXT_BYTES", default=32768),
    # With a Redis broker, commits publish one `drain_outbox` task while none is pending
    # instead of one task per commit (notifications_app/dispatch.py).
    "COALESCE_DISPATCH": env.bool("NOTIFICATIONS_COALESCE_DISPATCH", default=True),
    # A pending drain that has not started within this long is presumed lost: the next commit
    # publishes another (rows committed in between are also covered by the outbox sweep).
    "DRAIN_PENDING_SECONDS": env.int("NOTIFICATIONS_DRAIN_PENDING_SECONDS", default=10),
}
# Policy-change, merger and marketing campaigns: recipients per batch task; the early alert
# comes this many hours before the 30-day line (P25: "31 days before"); a running campaign with
# recipients still unplanned is fanned out again after this many seconds.
CAMPAIGNS = {
    "BATCH_SIZE": env.int("CAMPAIGNS_BATCH_SIZE", default=1000),
    "EARLY_ALERT_HOURS": env.int("CAMPAIGNS_EARLY_ALERT_HOURS", default=24),
    "REPLAN_AFTER_SECONDS": env.int("CAMPAIGNS_REPLAN_AFTER_SECONDS", default=600),
}
