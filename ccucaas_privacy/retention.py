"""The retention sweep (APPI Art. 22; issue 21): erase or anonymise what has outlived its period.

Every registered data source declares its `retention` (ccucaas_privacy.datasources.Retention);
those with a period give `retention_querysets(cutoff=...)`, the rows past it, and
`retention_apply(rows=...)`, what to do to one batch. A pass walks the sources and, for each
queryset, takes RETENTION_SWEEP_BATCH ids at a time in id order, each batch in its own short
transaction:

- claimed with `select_for_update(skip_locked=True)`: a concurrent pass skips the rows this one
  holds and takes the next ones, so two passes never handle a row twice nor wait for each other;
- erased or anonymised rows no longer match the queryset, so a pass that was stopped (deploy,
  crash) is resumed by the next one from where it stopped, with nothing to remember;
- no transaction holds more than one batch's row locks, so inserts into the same table (a new
  visitor-log row on every page view) never wait behind the sweep.

Each pass writes a `RetentionRun` (counts per category, batches, longest batch), shown in the
admin. Beat runs `ccucaas_privacy.tasks.retention_sweep` every hour.
"""

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from ccucaas_privacy import clock
from ccucaas_privacy.datasources import DataSource, all_sources
from ccucaas_privacy.models import RetentionRun
from ccucaas_privacy.rules import enforces

logger = logging.getLogger(__name__)


def retention_cutoff(source: DataSource, *, now: datetime) -> datetime | None:
    """Rows of `source` older than this have outlived its period (None: no fixed period)."""
    days = source.retention.days() if source.retention is not None else None
    return None if days is None else now - timedelta(days=days)


def _claim_batch(queryset, *, after, size: int) -> list:
    rows = queryset.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    return list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])


def _sweep_queryset(source: DataSource, queryset, *, run: RetentionRun, size: int,
                    max_batches: int | None) -> None:
    """Two laps in id order: the second takes the rows the first skipped because someone held
    them for a moment (a concurrent update); rows still locked are left to the next pass."""
    counts = run.counts.setdefault(source.category, {"erased": 0, "anonymised": 0})
    budget = [max_batches]
    if _lap(source, queryset, run=run, counts=counts, size=size, budget=budget):
        _lap(source, queryset, run=run, counts=counts, size=size, budget=budget)


def _lap(source: DataSource, queryset, *, run: RetentionRun, counts: dict, size: int,
         budget: list) -> int:
    after = None
    done = 0
    while budget[0] is None or budget[0] > 0:
        started = time.perf_counter()
        with transaction.atomic():
            ids = _claim_batch(queryset, after=after, size=size)
            if not ids:
                return done
            result = source.retention_apply(rows=queryset.filter(pk__in=ids))
        elapsed_ms = (time.perf_counter() - started) * 1000
        after = ids[-1]
        done += 1
        if budget[0] is not None:
            budget[0] -= 1
        counts["erased"] += result.erased
        counts["anonymised"] += result.anonymised
        run.batches += 1
        run.max_batch_ms = max(run.max_batch_ms, elapsed_ms)
        run.save(update_fields=["counts", "batches", "max_batch_ms"])
    return done


@enforces("APPI-22")
def retention_sweep(*, now: datetime | None = None, categories: Iterable[str] | None = None,
                    batch_size: int | None = None, max_batches: int | None = None
                    ) -> RetentionRun:
    """One pass over every source with a retention period (or only `categories`).

    `max_batches` caps the batches per queryset (a test stops a pass half-way with it, as a
    crash would). A failing source is logged and recorded on the run; the others go on."""
    now = clock.now() if now is None else now
    size = batch_size or settings.RETENTION_SWEEP_BATCH
    wanted = set(categories) if categories is not None else None
    run = RetentionRun.objects.create(started_at=now)
    for source in sorted(all_sources(), key=lambda s: s.category):
        if wanted is not None and source.category not in wanted:
            continue
        cutoff = retention_cutoff(source, now=now)
        if cutoff is None:
            continue
        for queryset in source.retention_querysets(cutoff=cutoff):
            try:
                _sweep_queryset(source, queryset, run=run, size=size, max_batches=max_batches)
            except Exception as exc:  # one broken source must not stop the others
                logger.exception("retention sweep: %s failed", source.category)
                run.failures.append({"category": source.category,
                                     "error": f"{type(exc).__name__}: {exc}"})
    run.finished_at = clock.now()
    run.save(update_fields=["finished_at", "failures", "counts"])
    if run.total or run.failures:
        logger.info("retention sweep: %s in %d batches (longest %.0f ms), failures %s",
                    run.counts, run.batches, run.max_batch_ms, run.failures)
    return run
