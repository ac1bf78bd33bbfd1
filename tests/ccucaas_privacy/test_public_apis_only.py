"""Public APIs only (issue 18): app code uses no private name of Django, DRF, Celery, kombu or
redis-py, so the next upgrade of any of them cannot break it silently.

The check reads every module of the apps and of `ccucaas_privacy` (migrations excluded) as a
syntax tree and refuses:

- a private module or name imported from one of those packages (`from django.x import _y`,
  `import redis._compat`, `from rest_framework.fields import _UnvalidatedField`);
- a private attribute (`._x`) of anything that comes from them: a name imported from them
  (`celery._state`, `transaction._x`), anything reached from it (`connections["default"]._x`,
  `transaction.get_connection()._x`), any `connection._x` or `super()._x` (in this project
  a parent with private methods is always a framework class: `ModelForm._post_clean`);
- the internals named in the issue, whatever their spelling: `_is_pk_set`, `run_on_commit`,
  `_raw_delete`, `InsertQuery`, `send_packed_command`, `pack_command`, and the other compiler
  and connection-pool internals listed in `INTERNALS`.

What Django documents stays allowed: `Model._meta`, `Model._state` (`adding`, `db`),
`Model._default_manager` and `_base_manager`, and dunder names.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("django", "rest_framework", "celery", "kombu", "redis")
DOCUMENTED = {"_meta", "_state", "_default_manager", "_base_manager"}
INTERNALS = {
    "_is_pk_set", "run_on_commit", "_raw_delete", "InsertQuery", "send_packed_command",
    "pack_command", "return_insert_columns", "returning_fields", "connection_kwargs",
    "savepoint_ids", "run_and_clear_commit_hooks", "_PLAIN_INSERTS", "_resource_closers",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _from_packages(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in PACKAGES


class _Checker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []
        self.framework_names: set[str] = {"connection", "connections"}
        self.framework_modules: set[str] = set()

    def _problem(self, node: ast.AST, text: str) -> None:
        self.problems.append((node.lineno, text))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not _from_packages(alias.name):
                continue
            if any(_private(part) for part in alias.name.split(".")):
                self._problem(node, f"import of the private module {alias.name}")
            self.framework_names.add((alias.asname or alias.name).split(".")[0])
            self.framework_modules.add((alias.asname or alias.name).split(".")[0])
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if _from_packages(node.module):
            if any(_private(part) for part in node.module.split(".")):
                self._problem(node, f"import from the private module {node.module}")
            for alias in node.names:
                if _private(alias.name) or alias.name in INTERNALS:
                    self._problem(node, f"import of {node.module}.{alias.name}")
                self.framework_names.add(alias.asname or alias.name)
        self.generic_visit(node)

    def _root(self, node: ast.AST) -> ast.AST:
        while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node

    def _reaches_framework(self, node: ast.AST) -> bool:
        root = self._root(node)
        if isinstance(root, ast.Name) and root.id in self.framework_names:
            return True
        return any(isinstance(sub, ast.Attribute) and sub.attr in ("connection", "connections")
                   for sub in ast.walk(node))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr in INTERNALS:
            self._problem(node, f"the internal .{attr}")
        elif _private(attr) and (attr not in DOCUMENTED or (  # a model's, not a module's
                isinstance(node.value, ast.Name) and node.value.id in self.framework_modules)):
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                    and value.func.id == "super":
                self._problem(node, f"super().{attr}: a private method of the framework parent")
            elif self._reaches_framework(value):
                self._problem(node, f"the private attribute .{attr}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in INTERNALS:
            self._problem(node, f"the internal {node.id}")

    def visit_Constant(self, node: ast.Constant) -> None:
        # getattr(connection, "run_on_commit") is the same dependency
        if isinstance(node.value, str) and node.value in INTERNALS - {"_PLAIN_INSERTS"}:
            self._problem(node, f"the internal {node.value!r}")


def private_names(source: str) -> list[tuple[int, str]]:
    """(line, what) for every private name of the frameworks that `source` uses."""
    checker = _Checker()
    checker.visit(ast.parse(source))
    return sorted(checker.problems)


def app_modules() -> list[Path]:
    roots = [ROOT / "ccucaas_privacy", *sorted(ROOT.glob("*_app"))]
    return sorted(path for root in roots for path in root.rglob("*.py")
                  if "migrations" not in path.relative_to(ROOT).parts)


def test_app_code_uses_no_private_name_of_django_drf_celery_kombu_or_redis():
    found = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for path in app_modules()
             for line, what in private_names(path.read_text(encoding="utf-8"))]
    assert found == [], "\n".join(found)


def test_the_check_reads_every_app_and_the_core_but_no_migration():
    modules = app_modules()
    tops = {path.relative_to(ROOT).parts[0] for path in modules}
    assert {"ccucaas_privacy", "accounts_app", "consent_app", "notifications_app",
            "requests_app"} <= tops
    assert not any("migrations" in path.parts for path in modules)
    assert ROOT / "requests_app" / "services" / "filing.py" in modules  # inside a package too


@pytest.mark.parametrize(("snippet", "what"), [
    ("def erase(qs):\n    qs._raw_delete(qs.db)\n", "the internal ._raw_delete"),
    ("from django.db import connection\nconnection.run_on_commit\n",
     "the internal .run_on_commit"),
    ("def f(obj):\n    return obj._is_pk_set(obj._meta)\n", "the internal ._is_pk_set"),
    ("from django.db.models.sql.subqueries import InsertQuery\n",
     "import of django.db.models.sql.subqueries.InsertQuery"),
    ("def f(c, p):\n    c.send_packed_command(p, check_health=False)\n",
     "the internal .send_packed_command"),
    ("def f(c):\n    return c.pack_command('SET', 'k', 1)\n", "the internal .pack_command"),
    ("from django.db import transaction\ntransaction.get_connection()._outbox_batch = 1\n",
     "the private attribute ._outbox_batch"),
    ("def f(schema_editor):\n    return schema_editor.connection._cursor()\n",
     "the private attribute ._cursor"),
    ("from django.db import connections\nconnections['default']._nodb_cursor()\n",
     "the private attribute ._nodb_cursor"),
    ("from django.utils.functional import _lazy_proxy_unpickle\n",
     "import of django.utils.functional._lazy_proxy_unpickle"),
    ("from rest_framework.fields import _UnvalidatedField\n",
     "import of rest_framework.fields._UnvalidatedField"),
    ("import celery\ncelery._state.get_current_app()\n", "the private attribute ._state"),
    ("from kombu import _x\n", "import of kombu._x"),
    ("import redis._parsers\n", "import of the private module redis._parsers"),
    ("import redis\nredis.Redis()._ping\n", "the private attribute ._ping"),
    ("from django.utils._os import safe_join\n", "import from the private module django.utils._os"),
    ("class F(Form):\n    def _post_clean(self):\n        super()._post_clean()\n",
     "super()._post_clean: a private method of the framework parent"),
    ("def f(connection):\n    return getattr(connection, 'run_on_commit')\n",
     "the internal 'run_on_commit'"),
])
def test_the_check_refuses_a_private_name(snippet, what):
    assert [text for _line, text in private_names(snippet)] == [what]


def test_the_check_allows_what_django_documents_and_the_projects_own_private_names():
    snippet = (
        "from django.db import models, transaction\n"
        "class Thing(models.Model):\n"
        "    def save(self, *args, **kwargs):\n"
        "        if self._state.adding and self._state.db is None:\n"
        "            self._check()\n"
        "        fields = self._meta.get_fields()\n"
        "        self.__class__._default_manager.all()\n"
        "        transaction.on_commit(self._after, robust=True)\n"
        "        return super().save(*args, **kwargs)\n"
        "    def _check(self):\n"
        "        return self._cache\n"
    )
    assert private_names(snippet) == []
