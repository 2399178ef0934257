"""Every third-party module the application imports is a declared dependency. core/http.py
verified TLS against certifi's roots while pyproject.toml did not name certifi: it was only
there because httpx happened to pull it in."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "intake", "matching", "notifications", "admin", "publishing")
FIRST_PARTY_MODULES = ("app", "cli", "operations")  # pyproject's py-modules


def _name(requirement: str) -> str:
    """`sqlalchemy[asyncio]>=2.0.30,<2.1` → `sqlalchemy` (PEP 503 normalised)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def imported_modules() -> set[str]:
    files = [*(ROOT / f"{name}.py" for name in FIRST_PARTY_MODULES),
             *(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))]
    modules: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in PACKAGES
            and m not in FIRST_PARTY_MODULES}


def test_every_imported_distribution_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    distributions = packages_distributions()
    modules = imported_modules()
    assert {"certifi", "httpx", "cryptography"} <= modules  # the scan sees imports
    undeclared = {m: distributions.get(m) for m in modules
                  if not declared & {_name(d) for d in distributions.get(m, [m])}}
    assert undeclared == {}
