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
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True,
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


def test_keys_reindex_recomputes_email_lookups_for_a_new_index_key(tmp_path: Path) -> None:
    """An operator changes OUEN_INDEX_KEY and runs `ouen keys reindex`: every stored lookup
    then matches the new key, and the run is an audit event."""
    import asyncio

    from sqlalchemy import text

    from app import make_cipher
    from core.db import create_engine
    from core.settings import load_settings

    assert ouen(tmp_path, "migrate").returncode == 0
    assert ouen(tmp_path, "demo-data", "--proposals", "30").returncode == 0
    new_key = {"OUEN_INDEX_KEY": "rotated-index-key-" + "r" * 32}
    result = ouen(tmp_path, "keys", "reindex", env=new_key)
    assert result.returncode == 0, result.stderr
    assert "rebuilt with the current OUEN_INDEX_KEY" in result.stdout

    settings = load_settings({"OUEN_VAR_DIR": str(tmp_path / "var"), **new_key})
    cipher = make_cipher(settings)

    async def stored() -> tuple[list[tuple[str, str, str, str]], int]:
        engine = create_engine(settings.database_url)
        async with engine.connect() as conn:
            rows = [(r.email_enc, r.email_bidx, r.key_id, r.wrapped) for r in (await conn.execute(
                text("SELECT email_enc, email_bidx, key_id, wrapped FROM proposal "
                     "JOIN record_key ON record_key.id = key_id UNION ALL "
                     "SELECT email_enc, email_bidx, key_id, wrapped FROM collaborator "
                     "JOIN record_key ON record_key.id = key_id"))).all()]
            events = (await conn.execute(text(
                "SELECT count(*) FROM audit_event WHERE action = 'keys.email_index_rebuilt'"
            ))).scalar_one()
        await engine.dispose()
        return rows, int(events)

    rows, events = asyncio.run(stored())
    assert len(rows) >= 30 and events == 1
    def opened(enc: str, key_id: str, wrapped: str) -> str:
        record = cipher.record(key_id, wrapped)
        assert record is not None
        return record.open("email", enc)

    assert all(bidx == cipher.blind_index(opened(enc, key_id, wrapped))
               for enc, bidx, key_id, wrapped in rows)
    assert f"{len(rows)} rows" in result.stdout


@pytest.mark.parametrize("address", ["poison@example.invalid.", "two@@example.jp",
                                     "ｆｕｌｌ@example.jp"])
def test_create_user_refuses_an_address_mail_cannot_carry(tmp_path: Path, address: str) -> None:
    assert ouen(tmp_path, "migrate").returncode == 0
    result = ouen(tmp_path, "create-user", address, "--role", "coordinator")
    assert result.returncode == 2 and "email address" in result.stderr
