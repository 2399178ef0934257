"""Async engine, SQLite pragmas and one transaction per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from litestar.datastructures import State
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession


def utcnow() -> datetime:
    """Aware UTC: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "secure_delete=ON",  # erased contact data is overwritten, not left in free pages
        "busy_timeout=5000",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine whose errors never echo bound parameters (they may be contact data)."""
    options: dict[str, Any] = {"hide_parameters": True, **kwargs}
    if is_sqlite(url):
        # One connection funnels every write: concurrent SQLite writers contend on the file
        # lock and p99 explodes (PITFALLS). Requests wait briefly for it instead.
        options.setdefault("pool_size", 1)
        options.setdefault("max_overflow", 0)
        options.setdefault("pool_timeout", 30)
        options.setdefault("pool_reset_on_return", None)
        if url.startswith("sqlite+aiosqlite:///") and "/" in url[len("sqlite+aiosqlite:///"):]:
            from pathlib import Path

            Path(url[len("sqlite+aiosqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    else:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 10)
        options.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **options)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def provide_db_session(state: State) -> AsyncIterator[AsyncSession]:
    """One transaction for the whole request: committed when the handler returns normally
    (whatever its status, 303 included), rolled back when it raises."""
    sessions: async_sessionmaker[AsyncSession] = state.sessions
    async with sessions() as session, session.begin():
        yield session
