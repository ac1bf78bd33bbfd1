import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT


def run_django_check(**env_overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "ccucaas_privacy.settings",
        "HOME": "/tmp",
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_django_check(DJANGO_ENV="production", ALLOWED_HOSTS="privacy.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django_check(DJANGO_ENV="production", SECRET_KEY="x" * 64)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_with_its_secrets_passes_the_deploy_checks():
    result = run_django_check(
        DJANGO_ENV="production",
        SECRET_KEY="a-long-random-production-secret-" + "k" * 40,
        ALLOWED_HOSTS="privacy.ccucaas.example",
        # issue 17: production also needs an https SITE_URL and the tracking webhook's secret
        SITE_URL="https://privacy.ccucaas.example",
        ANYMAIL_WEBHOOK_SECRET="postmark-hook:Vh3q9-random-webhook-password",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_defaults_are_japanese_first_tokyo_time_and_argon2():
    assert settings.LANGUAGE_CODE == "ja"
    assert [code for code, _ in settings.LANGUAGES] == ["ja", "en"]
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
    from ccucaas_privacy.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_celery_is_json_only_with_late_acks_and_time_limits():
    from ccucaas_privacy.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    app.loader.import_default_modules()  # what a worker does at start: import every tasks.py
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_source = "\n".join(p.read_text() for p in (ROOT / "ccucaas_privacy" / "settings").rglob("*.py"))
    read = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    read |= set(re.findall(r"""_required\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert sorted(read - documented) == []


def test_base_settings_set_every_name_once_and_change_no_list_or_dict_further_down():
    """Issue 18: base.py and its components/ assign each setting once (no `INSTALLED_APPS +=`,
    no `MIDDLEWARE.insert`, no `.update`/`.setdefault` of another block's dict)."""
    import ast

    settings_dir = ROOT / "ccucaas_privacy" / "settings"
    sources = [settings_dir / "base.py", *sorted((settings_dir / "components").glob("*.py"))]
    assigned: dict[str, list[str]] = {}
    changed_later = []
    for path in sources:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Assign):
                targets = [t for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
                targets = [node.target]
                if isinstance(node, ast.AugAssign) and node.target.id.isupper():
                    changed_later.append(f"{path.name}: {node.target.id} +=")
            for target in getattr(node, "targets", ()):
                root = target
                while isinstance(root, ast.Subscript):
                    root = root.value
                if (target is not root and isinstance(root, ast.Name) and root.id.isupper()
                        and root.id != "DATABASES"):
                    changed_later.append(f"{path.name}:{node.lineno}: {root.id}[...] =")
            for target in targets:
                if target.id.isupper():
                    assigned.setdefault(target.id, []).append(f"{path.name}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"insert", "append", "extend", "update", "setdefault"}
                    and isinstance(node.func.value, ast.Name) and node.func.value.id.isupper()):
                changed_later.append(f"{path.name}:{node.lineno}: {node.func.value.id}.{node.func.attr}")
    # Only the SQLite branch fills in keys of the one DATABASES dict (env.db() builds it);
    # CELERY_BROKER_TRANSPORT_OPTIONS and CACHES are one value per branch of an if/else.
    per_branch = {"CELERY_BROKER_TRANSPORT_OPTIONS", "CACHES"}
    twice = {name: where for name, where in assigned.items() if len(where) > 1 and name not in per_branch}
    assert twice == {}
    assert changed_later == []
    assert len(assigned) > 100  # the walk saw the whole settings
