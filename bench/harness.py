"""One way to run and read every benchmark.

A benchmark is a module `bench/<name>.py` with `run(size: str) -> dict`, where size is "tiny"
(`make bench SMOKE=1`, seconds) or "full". It measures its own baseline in the same run, repeats
at least 3 times and reports the median. It returns at least:

    {"name": str, "figure": float, "baseline": float, "unit": str,
     "ratio": float, "target": str, "passed": bool}

plus anything else worth keeping (p50/p99, peak_rss_mb, sizes). The harness prints a table and
writes `var/bench/<name>.json`.
"""

import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ccucaas_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/9"
REPEATS = 3


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_seconds(fn: Callable[[], Any], *, repeats: int = REPEATS,
                   setup: Callable[[], Any] | None = None) -> float:
    """Median wall time of `fn` over `repeats` runs (each after `setup`, untimed)."""
    samples = []
    for _ in range(repeats):
        if setup:
            setup()
        samples.append(timed(fn))
    return statistics.median(samples)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb(*, children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def worker_memory_mb(pid: int, *, field: str = "VmRSS") -> float:
    """`field` of /proc/<pid>/status (VmRSS: resident now; VmHWM: the peak) summed over a worker
    process and its pool children, in MiB."""
    pids = [pid] + [int(e.name) for e in Path("/proc").iterdir()
                    if e.name.isdigit() and _parent_pid(int(e.name)) == pid]
    total_kib = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def _parent_pid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def result(*, name: str, figure: float, baseline: float, unit: str, target: str,
           passed: bool, **extra: Any) -> dict[str, Any]:
    ratio = figure / baseline if baseline else float("inf")
    return {"name": name, "figure": round(figure, 4), "baseline": round(baseline, 4),
            "unit": unit, "ratio": round(ratio, 3), "target": target, "passed": bool(passed),
            **extra}


def write_result(data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{data['name']}.json"
    stamped = {**data, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    path.write_text(json.dumps(stamped, indent=2, ensure_ascii=False) + "\n")
    return path


def format_table(rows: list[dict[str, Any]]) -> str:
    header = ("benchmark", "figure", "baseline", "ratio", "target", "result")
    lines = [header]
    for row in rows:
        if row.get("error"):
            lines.append((row["name"], "-", "-", "-", "-", f"ERROR: {row['error']}"))
            continue
        unit = row["unit"]
        lines.append((row["name"], f"{row['figure']:g} {unit}", f"{row['baseline']:g} {unit}",
                      f"{row['ratio']:.2f}x", row["target"], "pass" if row["passed"] else "FAIL"))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(" | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(line)))
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def configure_environment() -> None:
    """Point Django at PostgreSQL and Redis (never SQLite or the filesystem broker)."""
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    os.environ.setdefault("CELERY_BROKER_URL", os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccucaas_privacy.settings")
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("EMAIL_BACKEND", "anymail.backends.test.EmailBackend")


def services_problem() -> str | None:
    """What is missing, in words a newcomer can act on; None when both services answer."""
    import psycopg2
    import redis

    db_url, broker_url = os.environ["DATABASE_URL"], os.environ["CELERY_BROKER_URL"]
    if not db_url.startswith(("postgres://", "postgresql://")):
        return f"DATABASE_URL must point at PostgreSQL for benchmarks (got {db_url})."
    if not broker_url.startswith("redis://"):
        return f"CELERY_BROKER_URL must point at Redis for benchmarks (got {broker_url})."
    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return (f"Redis does not answer at {broker_url} ({exc}). Start it, e.g.\n"
                "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no")
    server_url, _, dbname = db_url.rpartition("/")
    try:
        conn = psycopg2.connect(server_url + "/postgres", connect_timeout=3)
    except psycopg2.Error as exc:
        return (f"PostgreSQL does not answer at {server_url} ({exc}). Start it, e.g.\n"
                "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{dbname}"')
    conn.close()
    return None
