"""Issue 18, "One direction": the apps are layered and `lint-imports` (import-linter, run by
`make test`) holds them to it. These tests prove that the contract covers every app and that it
bites: a lower app importing a higher one, at module level or inside a function, breaks it."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
ORDER = ["automation_app", "incidents_app | agents_app", "requests_app", "accounts_app", "notifications_app",
         "consent_app", "ccucaas_privacy"]


def _project_packages() -> set[str]:
    """The project's own top-level packages among the installed apps."""
    paths = [Path(config.path).resolve() for config in apps.get_app_configs()]
    return {path.relative_to(ROOT).parts[0] for path in paths
            if path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / ".venv")}


def _layer_modules(layers: list[str]) -> list[str]:
    return [name.strip() for layer in layers for name in layer.split("|")]


def _lint_imports(cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo", *([str(config)] if config else [])]
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def _ini(config: dict) -> str:
    """The pyproject contract as an .importlinter (INI) file, for a copy of the tree."""
    lines = ["[importlinter]", "root_packages =", *[f"    {p}" for p in config["root_packages"]],
             "include_external_packages = False", ""]
    for i, contract in enumerate(config["contracts"]):
        lines += [f"[importlinter:contract:{i}]", f"name = {contract['name']}",
                  f"type = {contract['type']}", "layers =",
                  *[f"    {layer}" for layer in contract["layers"]], ""]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The seven packages' Python files, copied (nothing in the working tree is touched)."""
    root = tmp_path_factory.mktemp("layering")
    for package in CONFIG["root_packages"]:
        shutil.copytree(ROOT / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__", "locale", "templates",
                                                      "static", "policy_texts", "*.mo", "*.po"))
    return root


def test_the_layers_contract_names_every_app_once_in_the_agreed_order():
    """Deleting a layer line (or adding an app without one) fails here: an app missing from the
    contract would be free to import anything."""
    packages = _project_packages()
    assert set(CONFIG["root_packages"]) == packages
    [contract] = CONFIG["contracts"]
    assert contract["type"] == "layers"
    assert contract["layers"] == ORDER
    modules = _layer_modules(contract["layers"])
    assert sorted(modules) == sorted(packages)  # each app in exactly one layer
    assert set(contract) == {"name", "type", "layers"}  # no ignore_imports, no exclusions


def test_lint_imports_keeps_the_layering_of_the_project():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("probe", [
    "from requests_app import models  # noqa: F401\n",
    "def later():\n    from requests_app.services import request_file\n\n    return request_file\n",
], ids=["module_level", "function_level"])
def test_consent_app_importing_requests_app_breaks_the_contract(tree_copy, tmp_path, probe):
    config = tmp_path / ".importlinter"
    config.write_text(_ini(CONFIG), encoding="utf-8")
    assert _lint_imports(tree_copy, config).returncode == 0  # the copy alone keeps it

    probe_file = tree_copy / "consent_app" / "layering_probe.py"
    probe_file.write_text(probe, encoding="utf-8")
    try:
        result = _lint_imports(tree_copy, config)
    finally:
        probe_file.unlink()
    assert result.returncode == 1, result.stdout
    assert "consent_app is not allowed to import requests_app" in result.stdout
    assert "consent_app.layering_probe -> requests_app" in result.stdout


def test_swapping_two_layers_breaks_the_contract(tree_copy, tmp_path):
    """The order is what is checked: with notifications below consent, today's imports of
    consent by notifications are violations."""
    layers = list(ORDER)
    i, j = layers.index("notifications_app"), layers.index("consent_app")
    layers[i], layers[j] = layers[j], layers[i]
    config = tmp_path / ".importlinter"
    config.write_text(_ini({**CONFIG, "contracts": [{**CONFIG["contracts"][0], "layers": layers}]}),
                      encoding="utf-8")
    result = _lint_imports(tree_copy, config)
    assert result.returncode == 1, result.stdout
    assert "consent_app is not allowed to import notifications_app" not in result.stdout
    assert "notifications_app is not allowed to import consent_app" in result.stdout
