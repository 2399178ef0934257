"""The per-record data keys (core.models.RecordKey) as a whole: sealing them again under the
newest data key after a rotation, destroying them (erasure), and the erasure ledger.

Destroying a key makes every copy of the values sealed under it unreadable — except a copy of
the database taken before, which still holds the key. So every destroyed key leaves a
tombstone (core.models.ErasedKey, in the same transaction), and the tombstones are copied to
the erasure ledger, a file outside the database and its backups (OUEN_ERASURE_LEDGER), by
every daily retention run and by `ouen backup`. Restoring a backup replays the ledger and
the tombstones of the database it replaces: each person erased since the backup is erased
again before anyone can use it (`intake.erasure.replay_erasures`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import FieldCipher
from core.db import utcnow
from core.models import ErasedKey, RecordKey

_KEYS: Table = RecordKey.__table__  # type: ignore[attr-defined]
_ERASED: Table = ErasedKey.__table__  # type: ignore[attr-defined]
BATCH = 5000


async def rewrap_record_keys(session: AsyncSession, cipher: FieldCipher,
                             batch: int = BATCH) -> int:
    """Seal every record key not yet under the first key of OUEN_DATA_KEYS again under it;
    afterwards older keys can leave OUEN_DATA_KEYS. Returns how many were re-sealed."""
    conn = await session.connection()
    done, after = 0, ""
    while True:
        rows = (await conn.execute(select(_KEYS.c.id, _KEYS.c.wrapped).where(
            _KEYS.c.id > after).order_by(_KEYS.c.id).limit(batch))).all()
        if not rows:
            return done
        stale = [{"key": row.id, "wrapped": cipher.rewrap("record-key", row.wrapped, row.id)}
                 for row in rows if cipher.key_of(row.wrapped) != cipher.current_key]
        if stale:
            await conn.execute(update(_KEYS).where(_KEYS.c.id == bindparam("key"))
                               .values(wrapped=bindparam("wrapped")), stale)
        done += len(stale)
        after = rows[-1].id


async def destroy_record_keys(session: AsyncSession, key_ids: Sequence[str],
                              now: datetime | None = None) -> int:
    """Delete record keys and leave their tombstones: every value sealed under them, wherever
    a copy of it lies, can no longer be opened. Returns how many were deleted."""
    if not key_ids:
        return 0
    conn = await session.connection()
    ids = list(dict.fromkeys(key_ids))
    result = await conn.execute(delete(_KEYS).where(_KEYS.c.id.in_(ids)))
    known = set((await conn.execute(select(_ERASED.c.id).where(_ERASED.c.id.in_(ids)))).scalars())
    fresh = [{"id": key, "erased_at": now or utcnow()} for key in ids if key not in known]
    if fresh:
        await conn.execute(insert(_ERASED), fresh)
    return int(result.rowcount)


async def erased_key_ids(session: AsyncSession) -> set[str]:
    """The tombstones this database holds."""
    conn = await session.connection()
    return set((await conn.execute(select(_ERASED.c.id))).scalars())


async def surviving_keys(session: AsyncSession, key_ids: Iterable[str]) -> list[str]:
    """Those of `key_ids` that this database still holds (a restored backup)."""
    conn = await session.connection()
    wanted, found = list(key_ids), list[str]()
    for start in range(0, len(wanted), BATCH):
        found += (await conn.execute(select(_KEYS.c.id).where(
            _KEYS.c.id.in_(wanted[start:start + BATCH])))).scalars()
    return found


class ErasureLedger:
    """The file of destroyed key ids outside the database: one JSON object per line,
    `{"key": id, "at": ISO time}`, appended and flushed to disk, never rewritten."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def keys(self) -> set[str]:
        if not self.path.exists():
            return set()
        found = set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.add(str(json.loads(line)["key"]))
        return found

    def add(self, key_ids: Iterable[str], now: datetime | None = None) -> int:
        """Append the ids not in the file yet; returns how many were appended."""
        fresh = sorted(set(key_ids) - self.keys())
        if not fresh:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        at = (now or utcnow()).isoformat()
        with self.path.open("a", encoding="utf-8") as out:
            out.writelines(json.dumps({"key": key, "at": at}) + "\n" for key in fresh)
            out.flush()
            os.fsync(out.fileno())
        return len(fresh)


async def export_erasures(session: AsyncSession, ledger: ErasureLedger) -> int:
    """Copy this database's tombstones to the ledger; returns how many were new to it."""
    return ledger.add(await erased_key_ids(session))
