"""Handing committed outbox rows to the workers (DESIGN section 8).

After a transaction that queued rows commits, the workers must hear of them. Two ways:

- **rows** (tasks run eagerly, or the broker is not Redis, e.g. `make run`'s file-system
  broker): the ids the transaction wrote go to one task per `SEND_BATCH` rows.
- **drain** (a Redis broker): the committing process sets the key `DRAIN_KEY` with `SET NX`;
  only the commit that set it publishes a `drain_outbox` task. The task deletes the key
  *first*, then claims the queued rows that are due, `SEND_BATCH` of them (a full batch
  publishes the next drain first, so another worker takes the rest meanwhile), and sends them.
  A row committed while a drain is pending is read by that drain (it reads after the delete); a
  row whose commit comes after the delete finds no key, sets it and publishes the next drain.
  So no row is left behind, and under load one publish serves every commit made while the drain
  waited in the queue: a Celery publish costs about 0.5 ms of the web process's CPU
  (`bench/api_filing.py`). The `SET NX` is the client's public `redis.Redis.set(nx=True, ex=...)`
  on one client per process and URL (its pool, retries and health checks as redis-py sets
  them). The key expires after `DRAIN_PENDING_SECONDS`, so a drain task that was lost never
  stops dispatch; the minute-ly outbox sweep still covers any row that nobody sent.

Either way the broker being down loses nothing: the rows are committed and stay queued until
the sweep hands them over.
"""

import logging
from functools import lru_cache

from django.conf import settings
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

DRAIN_KEY = "ccucaas:outbox:drain-pending"
_BROKER_DOWN = (KombuError, OSError)


def _conf(name: str):
    return settings.NOTIFICATIONS[name]


def _broker_is_redis() -> bool:
    from ccucaas_privacy.celery import app

    return str(app.conf.broker_url or "").startswith(("redis://", "rediss://"))


def dispatch_mode() -> str:
    """`drain` with a Redis broker and real (not eager) tasks, else `rows`."""
    from ccucaas_privacy.celery import app

    if not _conf("COALESCE_DISPATCH") or app.conf.task_always_eager:
        return "rows"
    return "drain" if _broker_is_redis() else "rows"


@lru_cache(maxsize=4)
def _redis_for(url: str):
    import redis

    # Short timeouts: a hung Redis must not hold a web request; the sweep covers the rows.
    return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


def _flag_url() -> str:
    """The broker's Redis (`broker_url`): the flag lives beside the queue, where the web
    processes set it and the drain clears it. (Not `broker_write_url`: Celery resolves that
    through its settings chain, about 0.04 ms, on every commit.)"""
    from ccucaas_privacy.celery import app

    return str(app.conf.broker_url)


def _redis():
    """The client of the Redis the flag lives in (and the queue): one per process and URL;
    redis-py's pool gives each thread a connection and a forked process new ones."""
    return _redis_for(_flag_url())


def _flag_set() -> bool:
    """`SET DRAIN_KEY 1 NX EX DRAIN_PENDING_SECONDS`: whether this call set the flag. A Redis
    that cannot be reached raises redis.RedisError (after the client's own retries)."""
    return bool(_redis().set(DRAIN_KEY, b"1", nx=True, ex=_conf("DRAIN_PENDING_SECONDS")))


def rows_committed(outbound_email_ids: list[int]) -> None:
    """Called after the commit that wrote these queued rows."""
    if not outbound_email_ids:
        return
    if dispatch_mode() == "drain":
        drain_request()
    else:
        _publish_rows(outbound_email_ids)


def drain_request() -> bool:
    """Publish a drain unless one is already pending. Returns whether this call published."""
    import redis

    from notifications_app.tasks import drain_outbox

    try:
        if not _flag_set():
            return False  # a pending drain will read this commit's rows
    except redis.RedisError:
        logger.warning("Could not set the drain flag; publishing a drain anyway", exc_info=True)
    try:
        drain_outbox.delay()
    except _BROKER_DOWN:
        _drain_flag_clear()  # nobody will run a drain: let the next commit try again
        logger.warning("Broker unavailable; queued emails wait for the sweep", exc_info=True)
        return False
    return True


def _drain_flag_clear() -> None:
    import redis

    try:
        _redis().delete(DRAIN_KEY)
    except redis.RedisError:
        logger.warning("Could not clear the drain flag; it expires by itself", exc_info=True)


def broker_purge() -> int:
    """Empty the broker's queues (tests, benchmarks, an operator's reset). A purge drops any
    pending drain message, so its flag goes too: otherwise commits would wait for a drain that
    no longer exists until the flag expires. Returns the messages removed."""
    from ccucaas_privacy.celery import app

    removed = app.control.purge() or 0
    if _broker_is_redis():
        _drain_flag_clear()
    return removed


def drain_started() -> None:
    """The drain task clears the flag before it reads the queue (see the module docstring)."""
    if dispatch_mode() == "drain":
        _drain_flag_clear()


def _publish_rows(outbound_email_ids: list[int]) -> None:
    """One task per SEND_BATCH rows committed together (a single row: the one-row task)."""
    from notifications_app.tasks import send_outbound_email, send_outbound_emails

    size = _conf("SEND_BATCH")
    for start in range(0, len(outbound_email_ids), size):
        chunk = outbound_email_ids[start:start + size]
        try:
            if len(chunk) == 1:
                send_outbound_email.delay(chunk[0])
            else:
                send_outbound_emails.delay(chunk)
        except _BROKER_DOWN:
            # The rows are committed and stay queued: the sweep hands them over later.
            logger.warning("Broker unavailable; %d outbound email(s) wait for the sweep",
                           len(chunk), exc_info=True)
