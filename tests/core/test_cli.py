"""The `ouen` command line, run as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def ouen(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "OUEN_VAR_DIR": str(tmp_path / "var"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True,
                          text=True, env=environ, timeout=120, check=False)


def test_migrate_then_purge_dry_run(tmp_path: Path) -> None:
    migrated = ouen(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "var" / "ouen.db").exists()
    assert '"event": "database migrated"' in migrated.stderr
    purge = ouen(tmp_path, "purge", "--dry-run")
    assert purge.returncode == 0 and "would delete 0" in purge.stdout


def test_production_refuses_to_start_with_a_clear_message(tmp_path: Path) -> None:
    result = ouen(tmp_path, "migrate", env={"OUEN_ENV": "production"})
    assert result.returncode == 2
    assert "ouen cannot start" in result.stderr and "OUEN_CAPTCHA=hcaptcha" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"]])
def test_help(tmp_path: Path, args: list[str]) -> None:
    result = ouen(tmp_path, *args)
    assert result.returncode == 0 and "usage: ouen" in result.stdout
