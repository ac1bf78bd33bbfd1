"""Benchmark: the retention sweep (APPI Art. 22; issue 21) erases 1,000,000 expired visitor-log
rows in batches without a long lock, against a plain `DELETE` of the same rows.

Each repeat fills the visitor log with N rows past their period (one INSERT ... SELECT from
generate_series, then ANALYZE), then erases them, once with `retention_sweep` (batches of
RETENTION_SWEEP_BATCH ids, each in its own transaction) and once with one `DELETE ... WHERE
occurred_at < cutoff` in one transaction. Meanwhile two probes run in their own processes (so the sweep's Python work cannot delay them,
only the database can), each on its own connection:

- insert: a new visitor-log row every 2 ms (what every page view does) - its longest wait;
- touch: an UPDATE of a random expiring row every 5 ms (what a person's erasure or a
  correction of those rows would do) - its longest wait: with the sweep it waits for one batch
  at most, behind the plain DELETE for the whole statement.

Figure: rows/s of the sweep; baseline: rows/s of the plain DELETE (median of 3 repeats each).
Target: no batch transaction longer than 1,000 ms and no insert waiting longer than 200 ms.
`run(size)` assumes Django is configured and the database migrated (the harness does both).
"""

import statistics
import time
from datetime import timedelta

from bench.harness import REPEATS, result

SIZES = {"tiny": 20_000, "full": 1_000_000}
MAX_BATCH_MS = 1000.0
MAX_INSERT_WAIT_MS = 200.0


def _table() -> str:
    from accounts_app.models import VisitorLog

    return VisitorLog._meta.db_table


def _fill(rows: int, *, now) -> tuple[int, int]:
    """`rows` visitor-log rows 200 days old; returns their (lowest, highest) id."""
    from django.db import connection

    table = connection.ops.quote_name(_table())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute(
            f"INSERT INTO {table} (occurred_at, ip, browser, os, language, referrer, method, "
            "path, status_code, time_zone, user_agent) "
            "SELECT %s - (n || ' seconds')::interval, '203.0.113.5', 'Chrome', 'Windows', 'ja', "
            "'', 'GET', '/bench/' || n, 200, 'Asia/Tokyo', 'bench' "
            "FROM generate_series(1, %s) AS n",
            [now - timedelta(days=200), rows])
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        return cursor.fetchone()


def _probe_params(params: tuple) -> list:
    """("fixed", value) -> [value]; ("random", lowest, highest) -> [a random id in that range]."""
    import random

    if params[0] == "random":
        return [random.randint(params[1], params[2])]
    return [params[1]]


def _probe_loop(dsn: str, sql: str, params: tuple, every: float, stop, out) -> None:
    """In its own process (its own GIL and connection): run `sql` every `every` seconds and
    send back each wait, in ms. Started by "spawn", not "fork": the benchmarks before this one
    leave threads (servers, pools) behind, and a child forked from a threaded process can hang."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    waits = []
    with conn.cursor() as cursor:
        while not stop.is_set():
            started = time.perf_counter()
            cursor.execute(sql, _probe_params(params))
            waits.append((time.perf_counter() - started) * 1000)
            time.sleep(every)
    conn.close()
    out.put(waits)


class _Probe:
    """A probe process: the sweep's Python work cannot delay it, only the database can."""

    def __init__(self, sql: str, params, every: float) -> None:
        import multiprocessing

        from django.db import connection, connections

        settings_dict = connection.settings_dict
        self.dsn = (f"dbname={settings_dict['NAME']} user={settings_dict['USER']} "
                    f"host={settings_dict['HOST'] or '127.0.0.1'} port={settings_dict['PORT'] or 5432}"
                    + (f" password={settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""))
        connections.close_all()  # never fork with an open connection
        context = multiprocessing.get_context("spawn")
        self.stop, self.out = context.Event(), context.Queue()
        self.process = context.Process(target=_probe_loop, daemon=True,
                                       args=(self.dsn, sql, params, every, self.stop, self.out))
        self.waits: list[float] = []

    def start(self) -> None:
        self.process.start()

    def finish(self) -> None:
        self.stop.set()
        self.waits = self.out.get(timeout=60)
        self.process.join(timeout=30)


def _probes(lowest: int, highest: int, *, now) -> list[_Probe]:
    from django.db import connection

    table = connection.ops.quote_name(_table())
    insert = _Probe(
        f"INSERT INTO {table} (occurred_at, browser, os, language, referrer, method, path, "
        "status_code, time_zone, user_agent) VALUES (%s, '', '', '', '', 'GET', '/probe', 200, "
        "'', '')", ("fixed", now), 0.002)
    touch = _Probe(f"UPDATE {table} SET status_code = 200 WHERE id = %s",
                   ("random", lowest, highest), 0.005)
    return [insert, touch]


def _measured(erase, rows: int, *, now) -> dict:
    lowest, highest = _fill(rows, now=now)
    probes = _probes(lowest, highest, now=now)
    for probe in probes:
        probe.start()
    time.sleep(0.05)
    started = time.perf_counter()
    extra = erase()
    seconds = time.perf_counter() - started
    for probe in probes:
        probe.finish()
    insert, touch = probes
    return {"seconds": seconds, "rows_per_s": rows / seconds,
            "insert_max_ms": max(insert.waits, default=0.0),
            "insert_p99_ms": statistics.quantiles(insert.waits, n=100)[98]
            if len(insert.waits) > 1 else 0.0,
            "touch_max_ms": max(touch.waits, default=0.0), **extra}


def _sweep(now, rows: int) -> dict:
    from accounts_app.models import VisitorLog
    from ccucaas_privacy.retention import retention_sweep

    run = retention_sweep(now=now, categories=["visitor_logs"])
    erased = run.counts["visitor_logs"]["erased"]
    left = VisitorLog.objects.filter(occurred_at__lt=now - timedelta(days=1)).count()
    if erased != rows or left:
        raise AssertionError(f"the sweep erased {erased} of {rows} rows ({left} left)")
    return {"max_batch_ms": run.max_batch_ms, "batches": run.batches}


def _plain_delete(now, rows: int) -> dict:
    from django.conf import settings
    from django.db import connection, transaction

    cutoff = now - timedelta(days=settings.VISITOR_LOG_RETENTION_DAYS)
    table = connection.ops.quote_name(_table())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE occurred_at < %s", [cutoff])
        deleted = cursor.rowcount
    if deleted != rows:
        raise AssertionError(f"the DELETE removed {deleted} of {rows} rows")
    return {"max_batch_ms": (time.perf_counter() - started) * 1000, "batches": 1}


def _median(samples: list[dict], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def run(size: str) -> dict:
    from django.conf import settings

    from ccucaas_privacy import clock

    rows = SIZES[size]
    now = clock.now()
    sweeps, deletes = [], []
    for _ in range(REPEATS):  # interleaved, so both see the same machine
        sweeps.append(_measured(lambda: _sweep(now, rows), rows, now=now))
        deletes.append(_measured(lambda: _plain_delete(now, rows), rows, now=now))
    _fill(0, now=now)  # leave the table empty
    max_batch = max(s["max_batch_ms"] for s in sweeps)
    insert_max = max(s["insert_max_ms"] for s in sweeps)
    return result(
        name="retention", figure=_median(sweeps, "rows_per_s"),
        baseline=_median(deletes, "rows_per_s"), unit="rows/s",
        target=f"batch <= {MAX_BATCH_MS:.0f} ms, insert waits <= {MAX_INSERT_WAIT_MS:.0f} ms",
        passed=max_batch <= MAX_BATCH_MS and insert_max <= MAX_INSERT_WAIT_MS,
        rows=rows, batch_size=settings.RETENTION_SWEEP_BATCH,
        sweep_seconds=round(_median(sweeps, "seconds"), 2),
        delete_seconds=round(_median(deletes, "seconds"), 2),
        sweep_batches=sweeps[0]["batches"],
        sweep_mean_batch_ms=round(_median(sweeps, "seconds") * 1000 / sweeps[0]["batches"], 1),
        sweep_max_batch_ms=round(max_batch, 1),
        delete_transaction_ms=round(max(d["max_batch_ms"] for d in deletes), 1),
        sweep_insert_max_ms=round(insert_max, 1),
        delete_insert_max_ms=round(max(d["insert_max_ms"] for d in deletes), 1),
        sweep_insert_p99_ms=round(_median(sweeps, "insert_p99_ms"), 1),
        sweep_touch_max_ms=round(max(s["touch_max_ms"] for s in sweeps), 1),
        delete_touch_max_ms=round(max(d["touch_max_ms"] for d in deletes), 1),
    )
