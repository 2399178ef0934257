"""The per-record data keys (core.models.RecordKey) as a whole: sealing them again under the
newest data key after a rotation, and destroying them (erasure)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, bindparam, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import FieldCipher
from core.models import RecordKey

_KEYS: Table = RecordKey.__table__  # type: ignore[attr-defined]
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


async def destroy_record_keys(session: AsyncSession, key_ids: Sequence[str]) -> int:
    """Delete record keys: every value sealed under them, wherever a copy of it lies, can no
    longer be opened. Returns how many were deleted."""
    if not key_ids:
        return 0
    result = await (await session.connection()).execute(
        delete(_KEYS).where(_KEYS.c.id.in_(list(key_ids))))
    return int(result.rowcount)
