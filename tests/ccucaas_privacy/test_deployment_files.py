"""No Docker engine here: check that docker compose and the Procfiles point at real things."""

import importlib
import re
import shlex

import yaml

from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def assert_command_targets_exist(command: str) -> None:
    words = shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        for part in words[2].split("&&"):
            assert_command_targets_exist(part.strip())
        return
    program = words[0]
    if program in {"celery"}:
        app_module = words[words.index("-A") + 1]
        assert hasattr(importlib.import_module(app_module), "celery_app")
        assert words[words.index("-A") + 2] in {"worker", "beat"}
    elif program == "gunicorn":
        module, attr = next(w for w in words[1:] if ":" in w).split(":")
        assert hasattr(importlib.import_module(module), attr)
    elif program == "python":
        assert words[1] == "manage.py"
        assert (ROOT / "manage.py").exists()
    else:
        raise AssertionError(f"unexpected program in compose command: {command}")


def test_compose_has_the_whole_stack_from_one_image():
    services = compose()["services"]
    assert {"postgres", "redis", "mailpit", "web", "worker", "beat"} <= set(services)
    images = {services[name].get("image") for name in ("web", "worker", "beat")}
    assert len(images) == 1
    assert all(services[name].get("build") == "." for name in ("web", "worker", "beat"))


def test_compose_commands_point_at_modules_that_exist():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        assert_command_targets_exist(services[name]["command"])
        settings_module = services[name]["environment"]["DJANGO_SETTINGS_MODULE"]
        importlib.import_module(settings_module.replace(".settings", ".settings.base"))
        assert (ROOT / settings_module.replace(".", "/")).exists()


def test_compose_environment_uses_variables_the_settings_read():
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(),
                                re.M))
    env = compose()["services"]["web"]["environment"]
    assert set(env) - {"DJANGO_SETTINGS_MODULE"} <= documented


def test_dockerfile_builds_the_app_and_procfiles_run_web_worker_beat():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("FROM python:3.11")
    for procfile in ("Procfile", "Procfile.dev"):
        names = [line.split(":", 1)[0] for line in (ROOT / procfile).read_text().splitlines() if line]
        assert names == ["web", "worker", "beat"]
