"""Deploy hardening (P18, DESIGN.md section 10): production transport and cookies, security
headers, the Content-Security-Policy (no inline script anywhere), Swagger UI without a CDN,
and no secret with a default in production.

`tests/ccucaas_privacy/test_settings.py` already proves that `check --deploy` is clean with the
production secrets and that production refuses to start without SECRET_KEY / ALLOWED_HOSTS.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loaders.app_directories import get_app_template_dirs

from tests.ccucaas_privacy.test_settings import run_django_check
from tests.conftest import ROOT, subprocess_env

pytestmark = pytest.mark.rule("P18")

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "testserver,privacy.ccucaas.example",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_csp(header: str) -> dict[str, list[str]]:
    csp = csp_directives(header)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["script-src"][0] == "'self'"
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    return csp


# --- production transport, cookies and headers -------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_p18_production_redirects_to_https_and_sends_hsts_secure_httponly_cookies(make_user):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = make_user("dora")
    hasher = Argon2PasswordHasher()  # production's hasher (tests hash with MD5 for speed)
    user.password = hasher.encode("correct-horse-battery-42", hasher.salt())
    user.save(update_fields=["password"])
    env = subprocess_env(**PRODUCTION_ENV,
                         DJANGO_SETTINGS_MODULE="tests.hardening.production_settings")
    result = subprocess.run(
        [sys.executable, "-m", "tests.hardening._production_probe", "dora", "correct-horse-battery-42"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://testserver/en/sign-in/")
    assert seen["status"] == 200
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert_strict_csp(headers["content-security-policy"])
    assert seen["page_cookies"]["csrftoken"]["secure"] is True

    assert seen["sign_in_status"] == 302, seen
    session = seen["sign_in_cookies"]["sessionid"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_p18_production_refuses_the_development_secret_key():
    from ccucaas_privacy.settings.base import DEVELOPMENT_SECRET_KEY

    result = run_django_check(DJANGO_ENV="production", SECRET_KEY=DEVELOPMENT_SECRET_KEY,
                              ALLOWED_HOSTS="privacy.ccucaas.example")
    assert result.returncode != 0
    assert "development SECRET_KEY" in result.stderr


def test_p18_no_secret_has_a_default_in_production():
    """Every setting read from the environment whose name says secret/password/key/token either
    has no default or is one production requires (and then the default is refused)."""
    settings_dir = ROOT / "ccucaas_privacy" / "settings"
    base = (settings_dir / "base.py").read_text()
    production = (settings_dir / "production.py").read_text()
    secret_name = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|(?<![A-Z])KEY|_KEY|CREDENTIAL")
    with_default = re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["'][^)]*default=""", base)
    not_secret = {"THROTTLE_AUTH_TOKEN"}  # the rate of the token endpoint, e.g. "10/min"
    secrets_with_default = {name for name in with_default if secret_name.search(name)} - not_secret
    required = set(re.findall(r"""_required\(\s*["']([A-Z][A-Z0-9_]+)["']""", production))
    assert secrets_with_default - required == set()
    assert "SECRET_KEY" in required
    # ANYMAIL_* credentials and the webhook secret come only from the environment.
    assert re.search(r"ANYMAIL = \{\s*key\.removeprefix\(\"ANYMAIL_\"\): value\s*for key, value in "
                     r"env\.ENVIRON\.items\(\)", base)


# --- CSP in every environment (also in tests) -------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/en/", "/en/sign-in/", "/en/sign-up/", "/admin/login/",
                                  "/api/docs/"])
def test_p18_every_page_carries_a_strict_csp(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_csp(response.headers["Content-Security-Policy"])
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def _project_templates() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [Path(d) for d in get_app_template_dirs("templates")
             if Path(d).is_relative_to(ROOT) and ".venv" not in Path(d).parts]
    return sorted(p for d in dirs for p in d.rglob("*.html"))


def test_p18_no_template_of_ours_needs_an_inline_script_or_handler():
    templates = _project_templates()
    assert len(templates) > 20
    offenders = []
    for template in templates:
        if "emails" in template.parts:
            continue  # email HTML is never rendered by a browser under our CSP
        text = template.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{template}: inline {match.group(0)}")
        for match in re.finditer(r"""\son[a-z]+\s*=\s*["']""", text):
            offenders.append(f"{template}: handler {match.group(0).strip()}")
        if "javascript:" in text:
            offenders.append(f"{template}: javascript: URL")
    assert offenders == []


def test_p12_p18_the_analytics_script_url_is_allowed_when_set():
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']))")
    url = "https://analytics.example.net/a.js"
    for value, expected in ((url, ["'self'", url]), ("", ["'self'"])):
        env = subprocess_env(ANALYTICS_SCRIPT_URL=value)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.django_db
def test_p18_swagger_ui_loads_from_this_site_without_inline_script(client):
    page = client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    sources = re.findall(r"""<(?:script|link)\b[^>]*(?:src|href)=["']([^"']+)["']""", page)
    assert sources, page
    assert all(src.startswith("/") for src in sources), sources
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag, tag
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    from django.contrib.staticfiles import finders

    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    for src in sources:  # the split view's own script, or files of the installed sidecar
        if src.startswith(static_prefix):
            assert finders.find(src.removeprefix(static_prefix)), src
        else:
            assert client.get(src).status_code == 200, src


# --- a real browser reports no CSP violation --------------------------------------------

@pytest.mark.browser
def test_p18_browser_reports_no_csp_violation_on_portal_docs_and_admin(browser_page):
    page = browser_page
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    for path, ready in (("/", "header"), ("/en/", "header"), ("/en/sign-in/", "form"),
                        ("/api/docs/", ".swagger-ui .info"), ("/admin/login/", "form")):
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        assert violations == [], (path, violations)
    assert [line for line in console if "Content Security Policy" in line] == []
    # The language switcher still works without its inline handler.
    page.goto(page.base_url + "/sign-in/")
    page.select_option("#language", "en")
    page.wait_for_url(page.base_url + "/en/sign-in/")
    assert page.locator("html").get_attribute("lang") == "en"
