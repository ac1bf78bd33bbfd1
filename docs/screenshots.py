"""`make screenshots`: regenerate docs/screenshots/*.png (issue 19) with Playwright and Debian
chromium against a live server holding the demo data.

A throw-away state folder (VAR_DIR, SQLite) is migrated and seeded with `seed_demo`, the
portal is served by `runserver` on a free 127.0.0.1 port (DEBUG off, as under `make run`), and
the pages are captured at 1280 px: the portal home in Japanese and English, a request's detail
with its progress, the admin triage list and the compliance report (signed in as the demo
privacy officer with a recovery code).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "ccucaas-demo-2026"  # noqa: S105 - the demo accounts `make run` prints


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(var_dir: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(VAR_DIR=var_dir, DJANGO_ENV="development", DEBUG="false",
               CELERY_TASK_ALWAYS_EAGER="true", SITE_URL=f"http://127.0.0.1:{port}",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    return env


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our own 127.0.0.1 server
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not start")


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("#sign-in-form button[type=submit]").click()


def _capture(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        portal = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                     viewport={"width": 1280, "height": 900})
        page = portal.new_page()

        def shot(name: str, url: str) -> None:
            page.goto(base + url)
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)

        _sign_in(page, base, "alice")
        shot("portal-home-ja", "/")
        shot("portal-home-en", "/en/")
        page.goto(base + "/requests/")
        page.locator("#request-list a").first.click()
        detail = page.url.removeprefix(base)
        shot("request-detail-progress-ja", detail)
        shot("request-detail-progress-en", "/en" + detail)
        portal.close()

        staff = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                    viewport={"width": 1280, "height": 900})
        page = staff.new_page()
        page.goto(base + "/admin/login/")
        page.fill("#id_username", "officer")
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("input[type=submit]").click()
        page.locator("input[name=otp_token], #id_otp_token, input[type=text]").first.fill("demo01")
        page.locator("input[type=submit]").click()
        page.wait_for_load_state()
        if "access-reason" in page.url:
            page.fill("textarea, input[name=reason]", "Screenshots for the README")
            page.locator("input[type=submit], button[type=submit]").first.click()
        shot("admin-triage", "/admin/requests_app/datasubjectrequest/")
        shot("compliance-report", "/admin/requests_app/datasubjectrequest/compliance/")
        staff.close()
        browser.close()
    return shots


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="ccucaas-screens-") as var_dir:
        for sub in ("mail", "broker/queue", "broker/processed", "private"):
            Path(var_dir, sub).mkdir(parents=True, exist_ok=True)
        env = _env(var_dir, port)
        _manage("migrate", "--noinput", env=env)
        _manage("seed_demo", env=env)
        server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/healthz")
            for path in _capture(base):
                print(f"  wrote {path.relative_to(ROOT)}")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
