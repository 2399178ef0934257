"""Migrations run up and down on both databases and match the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from core.db import create_engine
from core.migrate import downgrade, upgrade
from intake.search import is_index_table
from tests.conftest import TABLES


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    """As migrations/env.py: the search index is dialect-specific and not a model."""
    return not (type_ == "table" and is_index_table(name))


def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    async def run() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(
                    c, opts={"include_name": _include_name}), SQLModel.metadata)
            )
        await engine.dispose()
        return names, diff

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    downgrade(database_url, "base")
    names, _ = _tables_and_diff(database_url)
    assert not set(TABLES) & names
    upgrade(database_url)
    names, diff = _tables_and_diff(database_url)
    assert set(TABLES) <= names
    assert diff == [], f"models and migrations differ: {diff}"
