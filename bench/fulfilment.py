"""Fulfilment for a heavy user (issue 8) on PostgreSQL.

One user with 100,000 contacts and 1,000,000 visitor-log rows (tiny: 1,000 / 10,000), loaded
with COPY. Three figures, each the median of 3 runs:

- package build: `package_write` of the whole disclosure ZIP (every category, CSVs, data.json,
  index.html, manifest) plus the archive's SHA-256, run in a fresh subprocess whose peak RSS is
  read from /proc/self/status VmHWM, `resource` elsewhere (target < 200 MB); time against `COPY (SELECT ...) TO STDOUT` of the
  same contact and visitor-log rows in the same run (target <= 3x);
- erasure: the contacts and visitor-log sources' `erase()` against a raw `DELETE` of the same
  rows (target <= 3x).
"""

import io
import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta

from bench import harness

SIZES = {"tiny": (1_000, 10_000), "full": (100_000, 1_000_000)}
USERNAME = "bench-heavy"
CHUNK = 100_000
MEMORY_LIMIT_MB = 200

CHILD = """
import json, resource, sys, time, tempfile, hashlib
import django
django.setup()
from ccucaas_privacy import clock
from accounts_app.models import User
from requests_app.models import DataSubjectRequest
from requests_app.services.packages import package_write

user = User.objects.get(username=sys.argv[1])
request = DataSubjectRequest(reference="DSR-BENCH-000001", language="ja", type="disclosure")
start = time.perf_counter()
with tempfile.TemporaryFile() as out:
    files = package_write(request=request, user=user, out=out, now=clock.now())
    size = out.tell()
    out.seek(0)
    digest = hashlib.sha256()
    while chunk := out.read(1 << 20):
        digest.update(chunk)
seconds = time.perf_counter() - start
# VmHWM: this process's own peak (ru_maxrss would include the parent's RSS at fork time).
with open("/proc/self/status") as status:
    hwm = [int(line.split()[1]) for line in status if line.startswith("VmHWM:")]
peak_kib = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "bytes": size, "peak_rss_mb": peak_kib / 1024,
                  "rows": {f["name"]: f.get("rows") for f in files}}))
"""


def _user():
    from accounts_app.models import User
    from accounts_app.services.accounts import user_create

    user = User.objects.filter(username=USERNAME).first()
    return user or user_create(username=USERNAME, email="bench-heavy@example.jp", password=None)


def _copy_in(table: str, columns: list[str], lines) -> None:
    from django.db import connection

    buffer = io.StringIO()
    with connection.cursor() as cursor:
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % CHUNK == 0:
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _populate(user, contacts: int, visits: int) -> None:
    from django.db import connection

    from ccucaas_privacy import clock

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_app_contact WHERE user_id = %s", [user.pk])
        cursor.execute("DELETE FROM accounts_app_visitorlog WHERE user_id = %s", [user.pk])
    now = clock.now()
    _copy_in("accounts_app_contact",
             ["public_id", "user_id", "name", "email", "postal_address", "phone", "created_at",
              "updated_at"],
             (f"{_uuid(i)}\t{user.pk}\t連絡先 {i}\tcontact{i}@example.org\t東京都千代田区{i}\t"
              f"03-0000-{i % 10000:04d}\t{now.isoformat()}\t{now.isoformat()}\n"
              for i in range(contacts)))
    base = now - timedelta(days=30)
    _copy_in("accounts_app_visitorlog",
             ["user_id", "occurred_at", "ip", "browser", "os", "language", "referrer", "method",
              "path", "status_code", "time_zone", "user_agent"],
             (f"{user.pk}\t{(base + timedelta(seconds=i)).isoformat()}\t198.51.100.{i % 250}\t"
              f"Chrome\tLinux\tja\thttps://example.org/{i % 97}\tGET\t/account/{i % 13}/\t200\t"
              "Asia/Tokyo\tMozilla/5.0 (X11; Linux x86_64) Chrome/120.0\n"
              for i in range(visits)))
    with connection.cursor() as cursor:  # autocommit: reclaim the rows earlier runs deleted
        cursor.execute("VACUUM ANALYZE accounts_app_contact")
        cursor.execute("VACUUM ANALYZE accounts_app_visitorlog")


def _uuid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _copy_out(user) -> None:
    """The baseline: COPY the same rows (same columns) to STDOUT."""
    from django.db import connection

    with connection.cursor() as cursor, tempfile.TemporaryFile() as sink:
        cursor.cursor.copy_expert(
            "COPY (SELECT name, email, postal_address, phone, created_at, updated_at FROM "
            f"accounts_app_contact WHERE user_id = {int(user.pk)} ORDER BY id) TO STDOUT "
            "WITH (FORMAT csv, HEADER)", sink)
        cursor.cursor.copy_expert(
            "COPY (SELECT occurred_at, ip, browser, os, language, referrer, method, path, "
            "status_code, time_zone, user_agent FROM accounts_app_visitorlog WHERE user_id = "
            f"{int(user.pk)} ORDER BY occurred_at, id) TO STDOUT WITH (FORMAT csv, HEADER)", sink)


def _build_in_subprocess(user) -> dict:
    env = {**os.environ, "PYTHONPATH": str(harness.ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD, user.username], cwd=harness.ROOT, env=env,
                         capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _erase_sources(user) -> None:
    from ccucaas_privacy.datasources import source_get

    source_get("contacts").erase(user)
    source_get("visitor_logs").erase(user)


def _delete_raw(user) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_app_contact WHERE user_id = %s", [user.pk])
        cursor.execute("DELETE FROM accounts_app_visitorlog WHERE user_id = %s", [user.pk])


def run(size: str) -> dict:
    import statistics

    contacts, visits = SIZES[size]
    user = _user()
    _populate(user, contacts, visits)
    copy_s = harness.median_seconds(lambda: _copy_out(user))
    builds = [_build_in_subprocess(user) for _ in range(harness.REPEATS)]
    build_s = statistics.median(b["seconds"] for b in builds)
    peak_mb = max(b["peak_rss_mb"] for b in builds)
    erase_s = harness.median_seconds(lambda: _erase_sources(user),
                                     setup=lambda: _populate(user, contacts, visits))
    delete_s = harness.median_seconds(lambda: _delete_raw(user),
                                      setup=lambda: _populate(user, contacts, visits))
    build_ratio, erase_ratio = build_s / copy_s, erase_s / delete_s
    return harness.result(
        name="fulfilment", figure=build_s, baseline=copy_s, unit="s",
        target="build <= 3x COPY, peak < 200 MB, erase <= 3x DELETE",
        passed=build_ratio <= 3 and peak_mb < MEMORY_LIMIT_MB and erase_ratio <= 3,
        contacts=contacts, visitor_logs=visits, package_bytes=builds[0]["bytes"],
        package_rows=builds[0]["rows"], peak_rss_mb=round(peak_mb, 1),
        build_ratio=round(build_ratio, 3), erase_s=round(erase_s, 3),
        raw_delete_s=round(delete_s, 3), erase_ratio=round(erase_ratio, 3),
    )
