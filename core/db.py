"""Async engine, SQLite pragmas, and the column types shared by every package's tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import String, Text, event
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field
from sqlmodel.ext.asyncio.session import AsyncSession

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A status column: plain text in the database (VARCHAR on both dialects, so adding a
    value needs no type migration), the enum in Python. Unknown text reads as an error."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class JSONList(TypeDecorator[list[str]]):
    """A list of strings as JSON text: the same column on SQLite and PostgreSQL, readable
    with LIKE (non-ASCII kept as is, so `"配送"` in the text is the tag itself)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [str(item) for item in json.loads(value)]


def enum_field(enum: type[E], length: int, **kwargs: Any) -> Any:
    """A SQLModel field holding `enum`, stored as EnumText(length)."""
    return Field(sa_type=EnumText(enum, length), **kwargs)


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
        path = url[len("sqlite+aiosqlite:///"):] if url.startswith("sqlite+aiosqlite:///") else ""
        if "/" in path and not path.startswith("file:"):  # a `file:` URI names its own file
            Path(path).parent.mkdir(parents=True, exist_ok=True)
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


async def scrub_sqlite(engine: AsyncEngine) -> bool:
    """After an erasure on SQLite: copy the WAL into the database file and truncate it to
    nothing (`secure_delete` has overwritten the freed space in the file; the WAL would
    still hold the old pages). False when another connection kept it from truncating."""
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as conn:
        busy, _log, _done = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    return not busy
