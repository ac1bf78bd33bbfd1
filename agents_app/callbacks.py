"""Status callbacks (spec 2.03, 3.08): every change of a request's status object becomes a
StatusCallback row, POSTed to the agent's `status_callback` until it answers 200, with
exponential backoff; each attempt is recorded. Nothing waits in a Celery ETA: the sweep (beat,
every minute) finds what changed (it compares the stored status object with the one derived
now, so a staff reply in requests_app needs no hook there) and what is due, and claims rows.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from agents_app import selectors
from agents_app.models import (
    CallbackAttempt,
    CallbackState,
    DrpRequest,
    SignedMessage,
    StatusCallback,
)
from ccucaas_privacy import clock
from ccucaas_privacy.outbound import OutboundError, outbound_post


def _enqueue(callback_id: int) -> None:
    from agents_app.tasks import callback_deliver

    transaction.on_commit(lambda: callback_deliver.delay(callback_id))


def drp_status_sync(*, drp: DrpRequest, now: datetime | None = None) -> StatusCallback | None:
    """Store the status object the agent should now see; queue a callback when it changed."""
    now = now or clock.now()
    with transaction.atomic():
        drp = DrpRequest.objects.select_for_update(of=("self",)).select_related(
            "request", "agent").get(pk=drp.pk)
        status = selectors.status_object(drp)
        if status == drp.last_status:
            return None
        drp.last_status = status
        drp.final = selectors.status_is_final(status)
        drp.save(update_fields=["last_status", "final"])
        if not drp.status_callback:
            return None
        # 2.03.1: what matters is that the most recent status arrives.
        drp.callbacks.filter(state=CallbackState.PENDING).update(state=CallbackState.SUPERSEDED)
        callback = StatusCallback.objects.create(drp_request=drp, payload=status,
                                                 next_attempt_at=now, created_at=now)
        _enqueue(callback.pk)
        return callback


def _backoff(attempts: int) -> timedelta:
    cfg = settings.DRP
    seconds = cfg["CALLBACK_BACKOFF_SECONDS"] * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, cfg["CALLBACK_BACKOFF_MAX_SECONDS"]))


def _claim(callback_id: int, now: datetime) -> StatusCallback | None:
    """Take a due row: the next attempt time moves on first, so a second worker skips it."""
    with transaction.atomic():
        row = (StatusCallback.objects.select_for_update(skip_locked=True)
               .select_related("drp_request")
               .filter(pk=callback_id, state=CallbackState.PENDING, next_attempt_at__lte=now)
               .first())
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + _backoff(row.attempts)
        row.save(update_fields=["attempts", "next_attempt_at"])
        return row


def _post(row: StatusCallback) -> tuple[int | None, str]:
    body = json.dumps(row.payload).encode()
    try:
        answer = outbound_post(row.drp_request.status_callback, data=body,
                               headers={"Content-Type": "application/json"},
                               timeout=settings.DRP["CALLBACK_TIMEOUT_SECONDS"])
    except OutboundError as exc:
        return None, exc.reason[:500]
    return answer.status, ""  # 2.03.1: the body of the answer is not parsed


def callback_deliver(*, callback_id: int, now: datetime | None = None) -> StatusCallback | None:
    """One delivery attempt of a due callback (idempotent: a delivered row is left alone)."""
    now = now or clock.now()
    row = _claim(callback_id, now)
    if row is None:
        return None
    http_status, error = _post(row)
    with transaction.atomic():
        CallbackAttempt.objects.create(callback=row, created_at=now, http_status=http_status,
                                       error=error)
        pending = StatusCallback.objects.filter(pk=row.pk, state=CallbackState.PENDING)
        if http_status == 200:
            pending.update(state=CallbackState.DELIVERED, delivered_at=now, next_attempt_at=None)
        elif row.attempts >= settings.DRP["CALLBACK_MAX_ATTEMPTS"]:
            pending.update(state=CallbackState.ABANDONED, next_attempt_at=None)
    row.refresh_from_db()
    return row


def drp_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Find status changes, expire what waited too long, queue due callbacks, forget old
    replay records."""
    from agents_app.services import drp_expire_if_due

    now = now or clock.now()
    changed = 0
    for drp in selectors.drp_requests_to_watch(limit=limit):
        drp_expire_if_due(drp=drp, now=now)
        changed += drp_status_sync(drp=drp, now=now) is not None
    due = list(StatusCallback.objects.filter(state=CallbackState.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for callback_id in due:
        _enqueue(callback_id)
    forgotten, _ = SignedMessage.objects.filter(expires_at__lt=now).delete()
    return {"changed": changed, "due": len(due), "forgotten": forgotten}
