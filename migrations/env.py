"""Alembic environment: runs migrations on the async engine of OUEN_DATABASE_URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

# Every package's tables live in its models.py; importing them registers the schema.
import admin.models  # noqa: F401
import core.models  # noqa: F401
import intake.models  # noqa: F401
import matching.models  # noqa: F401
import notifications.models  # noqa: F401
import publishing.models  # noqa: F401
from core.db import create_engine, is_sqlite
from intake.search import is_index_table

config = context.config
target_metadata = SQLModel.metadata


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    """The search index is dialect-specific and kept by hand (0012, intake/search.py)."""
    return not (type_ == "table" and is_index_table(name))


def _run(connection: Connection) -> None:
    sqlite = is_sqlite(str(connection.engine.url))
    if sqlite:
        # Batch mode rebuilds a table as copy, drop, rename; with foreign keys on, SQLite's
        # DROP TABLE deletes the rows first and cascades to every child table. Off while
        # migrating (the pragma is a no-op inside a transaction: set it before one opens),
        # and the references are checked afterwards.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken after migrating: {broken[:5]}")


async def _main() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = create_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


asyncio.run(_main())
