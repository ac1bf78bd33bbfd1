"""Benchmark: the visitor-log middleware (P10) must not slow a request by more than a few ms.

The same portal page is served by two Django WSGI handlers, one with the project's middleware
and one without `VisitorLogMiddleware`, through the real WSGI entry point, interleaved. For each
request it measures the time until the response is ready (what the client waits for) and the
time including `close()`, where the middleware's one-row INSERT runs after the body is sent.

Figure: p50 time to the response with the middleware; baseline: the same without it (median
of 3 repeats each). Target: the middleware adds at most 3 ms at p50 before the response.
`run(size)` assumes Django is configured and the database migrated (the harness does both).
"""

import io
import statistics
import sys
import time

SIZES = {"tiny": 100, "full": 1000}
TARGET_ADDED_MS = 3.0
MARKER = "ccucaas-bench-visitor-log"
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              f"Chrome/131.0.0.0 Safari/537.36 {MARKER}")


def _setup() -> None:
    import os

    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccucaas_privacy.settings")
        django.setup()


def _environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.5",
        "HTTP_USER_AGENT": USER_AGENT, "HTTP_ACCEPT_LANGUAGE": "ja,en-US;q=0.8",
        "HTTP_REFERER": "https://www.example.jp/", "HTTP_COOKIE": "ccucaas_tz=Asia/Tokyo",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _handler(with_visitor_log: bool):
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    middleware = [m for m in settings.MIDDLEWARE
                  if with_visitor_log or m != "accounts_app.middleware.VisitorLogMiddleware"]
    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()  # loads its middleware chain now


def _one(handler, path: str) -> tuple[float, float]:
    status: list[str] = []
    started = time.perf_counter()
    body = handler(_environ(path), lambda s, headers, exc_info=None: status.append(s))
    ready = time.perf_counter()
    b"".join(body)
    body.close()  # as a WSGI server does after sending the body
    done = time.perf_counter()
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{path} answered {status}")
    return (ready - started) * 1000, (done - started) * 1000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def _measure(plain, logged, path: str, n: int) -> dict[str, float]:
    without, with_ready, with_total = [], [], []
    for i in range(n):  # interleaved, alternating which goes first, so drift affects both alike
        if i % 2:
            without.append(_one(plain, path)[1])
        ready, total = _one(logged, path)
        with_ready.append(ready)
        with_total.append(total)
        if not i % 2:
            without.append(_one(plain, path)[1])
    return {
        "without_p50": _pct(without, 0.50), "without_p99": _pct(without, 0.99),
        "ready_p50": _pct(with_ready, 0.50), "ready_p99": _pct(with_ready, 0.99),
        "total_p50": _pct(with_total, 0.50), "total_p99": _pct(with_total, 0.99),
    }


def run(size: str = "tiny") -> dict:
    _setup()
    from accounts_app.models import VisitorLog
    from bench import harness

    n = SIZES.get(size, SIZES["tiny"])
    path = "/"
    plain, logged = _handler(False), _handler(True)
    for _ in range(20):  # warm up templates, translations, connections
        _one(plain, path)
        _one(logged, path)
    VisitorLog.objects.filter(user_agent__contains=MARKER).delete()
    repeats = [_measure(plain, logged, path, n) for _ in range(harness.REPEATS)]
    written = VisitorLog.objects.filter(user_agent__contains=MARKER).count()
    VisitorLog.objects.filter(user_agent__contains=MARKER).delete()
    median = {key: round(statistics.median(r[key] for r in repeats), 3) for key in repeats[0]}
    added = median["ready_p50"] - median["without_p50"]
    return harness.result(
        name="visitor_log", figure=median["ready_p50"], baseline=median["without_p50"],
        unit="ms", target=f"middleware adds <= {TARGET_ADDED_MS:g} ms at p50 before the response",
        passed=added <= TARGET_ADDED_MS and written == n * harness.REPEATS,
        requests_per_repeat=n, page=path, rows_written=written,
        added_before_response_p50_ms=round(added, 3),
        without_middleware_p99_ms=median["without_p99"],
        with_middleware_p99_ms=median["ready_p99"],
        added_before_response_p99_ms=round(median["ready_p99"] - median["without_p99"], 3),
        including_insert_after_response_p50_ms=median["total_p50"],
        including_insert_after_response_p99_ms=median["total_p99"],
    )


if __name__ == "__main__":
    import json

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "tiny"), indent=2))
