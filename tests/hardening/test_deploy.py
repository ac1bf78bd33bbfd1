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
    "SITE_URL": "https://privacy.ccucaas.example",
    "ANYMAIL_WEBHOOK_SECRET": "postmark-hook:Vh3q9-random-webhook-password",
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


# --- no weak secrets, no plain links, authenticated webhooks (issue 17 rows 4, 8, 12) -----

COMPOSE_KEY = "compose-only-secret-change-me"  # shipped in docker-compose.yml before issue 17


def _production_check(**overrides: str) -> subprocess.CompletedProcess[str]:
    return run_django_check(**{**PRODUCTION_ENV, **overrides})


@pytest.mark.parametrize("key", [
    COMPOSE_KEY,
    "change-me-" + "x7" * 30,  # long, but a placeholder
    "please-replace-me-with-a-real-secret-key-0123456789",
    "django-insecure-" + "q1w2e3r4t5" * 5,
    "short-but-random-9f8e7d6c",  # 25 characters
    "ab" * 40,  # long, 2 distinct characters
])
def test_p18_production_refuses_weak_and_placeholder_secret_keys(key):
    result = _production_check(SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1], result.stderr[-1500:]


def test_p18_production_with_the_compose_key_forges_no_unsubscribe_token():
    """The attack of row 8: with compose's old key an unsubscribe token was forged offline and
    a withdrawal written. Production settings now refuse to load with it, so no process that
    could accept the forged token (web, worker) starts; nothing is written."""
    code = ("import django; django.setup(); print('STARTED')")
    env = subprocess_env(**{**PRODUCTION_ENV, "SECRET_KEY": COMPOSE_KEY})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "STARTED" not in result.stdout
    assert "placeholder SECRET_KEY" in result.stderr


@pytest.mark.parametrize("site_url", ["http://privacy.ccucaas.example", "http://127.0.0.1:8000",
                                      "privacy.ccucaas.example", "https://"])
def test_p18_production_refuses_a_site_url_that_is_not_https(site_url):
    result = _production_check(SITE_URL=site_url)
    assert result.returncode != 0
    assert "https:// SITE_URL" in result.stderr


@pytest.mark.parametrize("secret", ["", "no-colon-here", "user:", ":password"])
def test_p25_production_refuses_a_tracking_webhook_without_its_secret(secret):
    result = _production_check(EMAIL_TRACKING_ESP="postmark", ANYMAIL_WEBHOOK_SECRET=secret)
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in result.stderr


def test_p25_production_without_a_tracking_esp_needs_no_webhook_secret_and_mounts_none():
    code = ("import django; django.setup(); from django.urls import resolve, Resolver404\n"
            "try:\n    resolve('/anymail/postmark/tracking/'); print('MOUNTED')\n"
            "except Resolver404:\n    print('NONE')")
    env = subprocess_env(**{**PRODUCTION_ENV, "EMAIL_TRACKING_ESP": "",
                            "ANYMAIL_WEBHOOK_SECRET": ""})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "NONE"
    assert _production_check(EMAIL_TRACKING_ESP="", ANYMAIL_WEBHOOK_SECRET="").returncode == 0


def test_p18_production_check_deploy_is_clean_with_good_secrets():
    result = _production_check()
    assert result.returncode == 0, result.stdout + result.stderr


def _compose_environment() -> dict[str, str]:
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]


def test_p18_compose_takes_secret_key_and_site_url_from_env_without_default():
    env = _compose_environment()
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"]), env["SECRET_KEY"]
    assert re.fullmatch(r"\$\{SITE_URL:\?[^}]+\}", env["SITE_URL"]), env["SITE_URL"]
    text = (ROOT / "docker-compose.yml").read_text()
    assert COMPOSE_KEY not in text
    # Its cache is a Redis database of its own, not the broker's.
    assert env["CACHE_URL"].startswith("redis://") and env["CACHE_URL"] != env["CELERY_BROKER_URL"]


def _interpolate(value: str, dotenv: dict[str, str]) -> str:
    """docker compose interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error} (Compose
    Specification, "Interpolation"): a missing ${VAR:?error} stops compose."""
    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if dotenv.get(name):
            return dotenv[name]
        if op == ":?":
            raise LookupError(arg)
        return arg if op == ":-" else ""
    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}", one, value)


def test_p18_compose_environment_with_a_real_env_file_passes_the_deploy_checks():
    env = _compose_environment()
    with pytest.raises(LookupError):
        _interpolate(env["SECRET_KEY"], {})  # no .env: compose refuses to start
    dotenv = {"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "SITE_URL": "https://privacy.example",
              # issue 20: files on MinIO (docker-compose.yml refuses to start without them)
              "MINIO_ROOT_PASSWORD": "minio-root-2026-long", "MINIO_APP_SECRET_KEY": "minio-app-2026-long"}
    resolved = {name: _interpolate(str(value), dotenv) for name, value in env.items()}
    result = run_django_check(**resolved)
    # Only W008: compose serves plain HTTP on :8000 (SECURE_SSL_REDIRECT=false) for the TLS
    # proxy in front of it; the settings load.
    assert "System check identified 1 issue" in result.stderr + result.stdout, result.stderr
    assert "security.W008" in result.stderr + result.stdout
    assert "ImproperlyConfigured" not in result.stderr
    result = run_django_check(**{**resolved, "SECRET_KEY": COMPOSE_KEY})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_p18_no_secret_has_a_default_in_production():
    """Every setting read from the environment whose name says secret/password/key/token either
    has no default or is one production requires (and then the default is refused)."""
    settings_dir = ROOT / "ccucaas_privacy" / "settings"
    base = "\n".join(path.read_text() for path in sorted(settings_dir.rglob("*.py"))
                     if path.name != "production.py")  # base.py and its components/
    production = (settings_dir / "production.py").read_text()
    secret_name = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|(?<![A-Z])KEY|_KEY|CREDENTIAL")
    with_default = re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["'][^)]*default=""", base)
    not_secret = {"THROTTLE_AUTH_TOKEN",  # the rate of the token endpoint, e.g. "10/min"
                  # rates and lifetimes, not secrets (issue 17)
                  "PASSWORD_RESET_RATE_PER_EMAIL", "PASSWORD_RESET_RATE_PER_CLIENT",
                  "PASSWORD_RESET_RATE_WINDOW_SECONDS", "STAFF_TOKEN_TTL_HOURS",
                  "USER_TOKEN_TTL_DAYS"}
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
