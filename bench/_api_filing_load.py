"""Load generator of the api_filing benchmark (its own process): N concurrent clients on
127.0.0.1, each sending its share of the jobs; prints JSON with per-request latencies."""

import http.client
import json
import queue
import sys
import threading
import time


def main() -> None:
    spec = json.load(open(sys.argv[1]))  # noqa: SIM115
    host, port, clients = spec["host"], spec["port"], spec["clients"]
    jobs: queue.Queue = queue.Queue()
    for job in spec["jobs"]:
        jobs.put(job)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
            body = json.dumps(job["body"]).encode() if job.get("body") is not None else None
            headers = {"Authorization": f"Token {job['token']}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                conn.request(job["method"], job["path"], body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != job["expect"]:
                    errors.append(f"{status}: {payload[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    json.dump({"wall": wall, "latencies": latencies, "errors": errors[:20],
               "error_count": len(errors)}, sys.stdout)


if __name__ == "__main__":
    main()
