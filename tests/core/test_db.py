"""The database engine: SQLite connections come with the pragmas PITFALLS asks for."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.db import utcnow
from core.settings import Settings

EXPECTED = {"journal_mode": "wal", "foreign_keys": 1, "secure_delete": 1,
            "busy_timeout": 5000, "synchronous": 1}  # synchronous 1 is NORMAL


async def pragmas(conn: AsyncConnection) -> dict[str, Any]:
    return {name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
            for name in EXPECTED}


async def test_sqlite_connections_have_the_pragmas(
    client: Any, app: Litestar, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    engine = app.state.engine
    async with engine.connect() as conn:
        assert await pragmas(conn) == EXPECTED
    await engine.dispose()  # a connection opened afresh gets them too
    async with engine.connect() as conn:
        assert await pragmas(conn) == EXPECTED
    assert (await client.get("/healthz")).status_code == 200  # the app still works


async def test_foreign_keys_are_enforced(client: Any, app: Litestar) -> None:
    """Off by default on SQLite: without the pragma this insert would succeed there."""
    async with app.state.engine.connect() as conn:
        with pytest.raises(IntegrityError):
            await conn.execute(
                text("INSERT INTO verification_token (proposal_id, token_hash, expires_at) "
                     "VALUES (424242, :hash, :at)"), {"hash": "0" * 64, "at": utcnow()})
