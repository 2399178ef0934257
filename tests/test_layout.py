"""The one-way layout (DESIGN.md §3): every package imports only the packages below it.

    core, notifications  <  intake  <  admin  <  matching  <  publishing
        <  app.py, cli.py, operations.py

Every import counts, those inside functions included; and no package imports a first-party
module inside a function at all (that is how a cycle hides). A package that must react to
another's change registers a hook (core/hooks.py) instead of importing upward."""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BELOW: dict[str, set[str]] = {
    "core": set(),
    "notifications": {"core"},
    "intake": {"core", "notifications"},
    "admin": {"core", "notifications", "intake"},
    "matching": {"core", "notifications", "intake", "admin"},
    "publishing": {"core", "notifications", "intake", "admin", "matching"},
}
TOP = ("app", "cli", "operations")  # the composition roots: they may import everything
FIRST_PARTY = {*BELOW, *TOP}


def _imports(tree: ast.Module) -> Iterator[tuple[ast.stmt, str, bool]]:
    """(node, module, inside a function) for every absolute import of the module."""
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        for name in names:
            yield node, name, id(node) not in top_level and not _in_type_checking(tree, node)


def _in_type_checking(tree: ast.Module, node: ast.stmt) -> bool:
    """Imports under `if TYPE_CHECKING:` at module level are not function-level."""
    for block in tree.body:
        if isinstance(block, ast.If) and any(node is child for child in ast.walk(block)):
            return True
    return False


def _modules(root: Path) -> Iterator[tuple[str, Path]]:
    for package in BELOW:
        for path in sorted((root / package).rglob("*.py")):
            yield package, path
    for name in TOP:
        if (root / f"{name}.py").exists():
            yield name, root / f"{name}.py"


def arrows(root: Path) -> list[str]:
    """Every import against the order, and every first-party import inside a function."""
    found = []
    for package, path in _modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, module, local in _imports(tree):
            head = module.split(".")[0]
            if head not in FIRST_PARTY or head == package:
                if local and head == package:
                    found.append(f"{path.relative_to(root)}:{node.lineno} imports {module} "
                                 "inside a function")
                continue
            upward = package not in TOP and (head in TOP or head not in BELOW[package])
            if upward:
                found.append(f"{path.relative_to(root)}:{node.lineno} imports {module} "
                             f"({package} may import only {sorted(BELOW[package]) or 'nothing'})")
            elif local:
                found.append(f"{path.relative_to(root)}:{node.lineno} imports {module} "
                             "inside a function")
    return found


def test_every_import_follows_the_one_way_order() -> None:
    assert sum(1 for _ in _modules(ROOT)) > 60  # the walk really saw the packages
    assert arrows(ROOT) == []


def _plant(root: Path, files: dict[str, str]) -> None:
    for package in BELOW:
        (root / package).mkdir()
        (root / package / "__init__.py").write_text("")
    for name, text in files.items():
        (root / name).write_text(text)


def test_a_planted_back_arrow_is_refused(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "core/fine.py": "import json\nfrom core import fine\n",
        "admin/fine.py": "from intake import models\nfrom core.audit import Actor\n",
        "intake/back.py": "from admin.cases import change_status\n",
        "matching/hidden.py": "def f():\n    from publishing import services\n",
        "publishing/local.py": "def g():\n    from matching import models\n",
        "notifications/up.py": "import app\n",
        "core/same.py": "def h():\n    from core import db\n",
        "app.py": "import publishing.services\nfrom intake import models\n",
    })
    found = arrows(tmp_path)
    assert [line.split(":")[0] for line in found] == [
        "core/same.py", "notifications/up.py", "intake/back.py", "matching/hidden.py",
        "publishing/local.py"]
    assert "intake may import only ['core', 'notifications']" in found[2]
    assert "matching may import only" in found[3]
    assert all("inside a function" in found[i] for i in (0, 4))


def test_no_module_over_400_lines_that_is_not_data_and_short_functions() -> None:
    """Modules stay readable: none over 400 lines (vocabulary tables aside), and the median
    function is at most 10 lines."""
    data = {"matching/lexicon.py"}
    lengths: list[int] = []
    long_modules = []
    for _package, path in _modules(ROOT):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if len(text.splitlines()) > 400 and name not in data:
            long_modules.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lengths.append((node.end_lineno or node.lineno) - node.lineno + 1)
    assert long_modules == []
    assert statistics.median(lengths) <= 10


def test_no_test_module_imports_another_test_module() -> None:
    """Tests share builders through tests/factories.py and tests/<area>/factories.py (and
    fixtures and low-level helpers through conftest.py), never by importing a test module:
    `tests.<...>.test_<...>` in `import` or `from ... import`, or `from tests.<area> import
    test_x`. Imports inside functions count too."""

    def offences(tree: ast.Module) -> list[tuple[int, str]]:
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bad = any(alias.name.split(".")[0] == "tests"
                          and alias.name.rsplit(".", 1)[-1].startswith("test_")
                          for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                in_tests = bool(node.level) or module.split(".")[0] == "tests"
                bad = in_tests and (module.rsplit(".", 1)[-1].startswith("test_")
                                    or any(a.name.startswith("test_") for a in node.names))
            else:
                continue
            if bad:
                found.append((node.lineno, ast.unparse(node)))
        return sorted(found)

    planted = ast.parse(
        "import json\n"
        "import tests.conftest\n"
        "from tests.conftest import csrf_of\n"
        "from tests.factories import login\n"
        "from tests.admin.factories import actions\n"
        "from tests.admin.test_auth import make_staff\n"
        "import tests.intake.test_apply as apply\n"
        "from tests.admin import test_cases\n"
        "def f() -> None:\n"
        "    from tests.browser.test_staff import in_thread\n"
    )
    assert [line for line, _text in offences(planted)] == [6, 7, 8, 10]  # the rule bites

    paths = sorted((ROOT / "tests").rglob("*.py"))
    assert len(paths) > 50  # the walk really saw the tests
    found = [f"{path.relative_to(ROOT)}:{line}: {text}"
             for path in paths
             for line, text in offences(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []
