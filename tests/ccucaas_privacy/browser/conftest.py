"""A headless Debian chromium per test (issue 19: the portal journeys), helpers to sign in, to run
axe-core and to find overflowing elements.

Playwright's sync API runs an event loop on this thread for as long as it is started, and while
it runs the ORM hands out another connection object, one without the serialized contents of the
test database: a transactional test set up then is not restored, and every transactional test
after it finds the rows of the data migrations (purposes, policy version 1) gone. So chromium
(`chromium_browser`, tests/conftest.py, shared with every browser test) starts per test, after
the database fixtures, and stops before their teardown flushes.

The live server (pytest-django) runs in this process, so the ORM calls a test makes between
page actions see the same test database.
"""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")

# Elements whose content may be wider than themselves: the table scroll wrapper (a deliberate
# horizontal scroll container, see site.css ".table-wrap") and what is inside it.
OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const out = [];
  if (doc.scrollWidth > doc.clientWidth) out.push(`document: ${doc.scrollWidth} > ${doc.clientWidth}`);
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".table-wrap") || el.closest(".visually-hidden, .skip-link")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.position === "absolute" || style.position === "fixed") continue;
    const parent = el.parentElement;
    if (!parent || parent.closest(".table-wrap")) continue;
    const rect = el.getBoundingClientRect(), box = parent.getBoundingClientRect();
    if (rect.width === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== "auto" && style.overflowX !== "scroll"
        && el.clientWidth > 0 && style.display !== "inline")
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}: scrollWidth ${el.scrollWidth} > ${el.clientWidth}`);
    if (rect.right > box.right + 1 && getComputedStyle(parent).overflowX === "visible")
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}: right ${Math.round(rect.right)} > parent ${Math.round(box.right)}`);
  }
  return out;
}"""


@pytest.fixture
def portal(live_server, transactional_db, django_db_serialized_rollback, chromium_browser,
           settings, tmp_path):
    """A page in a new context (Japanese browser, Tokyo time) against the live server."""
    settings.PRIVATE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                "OPTIONS": {"location": str(tmp_path / "private")}}
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    context = chromium_browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    errors: list[str] = []
    # Script errors and CSP refusals; a page's own 404 status is not one, a missing
    # stylesheet, script or image is (recorded from the responses).
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    page.console_errors = errors
    try:
        yield page
    finally:
        from django.db import connections

        connections.close_all()
        context.close()


def sign_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "domain": urlparse(page.base_url).hostname, "path": "/"}])


def axe_violations(page) -> list[str]:
    """axe-core's violations of impact serious or critical on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def overflowing(page) -> list[str]:
    return page.evaluate(OVERFLOW_JS)


def check_page(page, path: str, problems: dict) -> None:
    """Open `path` at 1280 px and 390 px; record axe violations and (at 390 px) overflow."""
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        page.goto(page.base_url + path)
        found = axe_violations(page)
        if viewport is NARROW:
            found += overflowing(page)
        if found:
            problems[f"{path} @{viewport['width']}"] = found
    page.set_viewport_size(WIDE)
