"""The operations that run on the whole database — the retention rules, backups and
restores — for the worker's daily job and the `ouen` command line, the second and third
composition roots beside app.py: each calls the plain functions the packages expose."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.sessions import purge_ended_sessions
from core.audit import (
    ANCHOR_FILE,
    CLI,
    SYSTEM,
    AuditLog,
    VerifyResult,
    read_anchors,
    set_aside_anchors,
)
from core.backup import backup, restore
from core.crypto import FieldCipher
from core.db import create_engine, scrub_sqlite, session_factory, utcnow
from core.migrate import upgrade_async
from core.record_keys import ErasureLedger, erased_key_ids, export_erasures
from core.retention import BY_CODE, RULES
from core.settings import Settings
from intake.erasure import replay_erasures
from intake.models import ProposalStatus
from intake.retention import ENDED_CASES, erase_cases, erase_retired, purge_links
from intake.search import compact
from intake.services import purge_unverified
from notifications.services import purge_delivery_records
from publishing.consent import purge_consent_links


async def run_retention(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher,
    audit: AuditLog, *, dry_run: bool = False, now: datetime | None = None,
) -> dict[str, int]:
    """Apply every retention rule of core/retention.py, each by the package that owns its
    data; returns the count per rule. A real run is one audit event (`retention.run`) with
    the counts; on SQLite the WAL is then truncated, so nothing erased stays in any file."""
    now = now or utcnow()
    cut = {rule.code: now - rule.period(settings) for rule in RULES}
    counts: dict[str, int] = {}
    async with sessions() as db, db.begin():
        counts["unverified"] = await purge_unverified(
            db, audit, now=now, dry_run=dry_run, record=False,
            retention=BY_CODE["unverified"].period(settings))
    counts["closed"] = await erase_cases(sessions, cipher, audit, ENDED_CASES, cut["closed"],
                                         dry_run=dry_run)
    counts["spam"] = await erase_cases(sessions, cipher, audit, (ProposalStatus.SPAM,),
                                       cut["spam"], dry_run=dry_run)
    counts["retired"] = await erase_retired(sessions, cipher, audit, cut["retired"],
                                            dry_run=dry_run)
    async with sessions() as db, db.begin():
        counts["mail"] = await purge_delivery_records(db, cut["mail"], dry_run)
        counts["links"] = (await purge_links(db, cut["links"], now, dry_run)
                           + await purge_consent_links(db, cut["links"], dry_run)
                           + await purge_ended_sessions(db, now, dry_run))
        counts["audit_ip"] = await audit.erase_addresses(db, cut["audit_ip"], dry_run)
        if not dry_run:
            # A database put back from a backup by other means than `ouen restore` is
            # caught up here: whoever the ledger names is erased again.
            ledger = ErasureLedger(settings.erasure_ledger)
            again = await replay_erasures(db, cipher, audit, ledger.keys(), SYSTEM)
            if again:
                counts["replayed"] = again
            await export_erasures(db, ledger)
            await audit.record(db, "retention.run", SYSTEM, detail=" ".join(
                f"{code}={count}" for code, count in counts.items()))
            if counts["closed"] or counts["spam"] or again:
                await compact(await db.connection())
    engine = sessions.kw.get("bind")
    if not dry_run and isinstance(engine, AsyncEngine):
        await scrub_sqlite(engine)
    return counts


async def backup_database(settings: Settings, sessions: async_sessionmaker[AsyncSession],
                          audit: AuditLog, target: Path) -> tuple[int, int]:
    """`ouen backup`: the tombstones go to the erasure ledger first, then the copy is made
    (core/backup.py) and audited. Returns the copy's size and the keys the ledger names."""
    ledger = ErasureLedger(settings.erasure_ledger)
    async with sessions() as db, db.begin():
        await export_erasures(db, ledger)
    size = backup(settings.database_url, target)
    async with sessions() as db, db.begin():
        await audit.record(db, "backup.made", CLI, detail=f"bytes={size}")
    return size, len(ledger.keys())


@dataclass(frozen=True)
class Restored:
    """What `ouen restore` did: people erased again, keys in the ledger, where the anchors
    of entries the backup never had went, and the restored chain checked against the rest."""

    erased_again: int
    ledger: int
    set_aside: Path | None
    chain: VerifyResult

    def report(self) -> list[str]:
        lines = [f"erased again from the ledger ({self.ledger} destroyed keys): "
                 f"{self.erased_again} people"]
        if self.set_aside is not None:
            lines.append(f"anchors of entries made after the backup set aside in "
                         f"{self.set_aside}")
        lines.append(f"audit chain intact: {self.chain.checked} entries, anchors checked"
                     if self.chain.ok else
                     f"audit chain BROKEN at entry {self.chain.bad_id}: {self.chain.reason}")
        return lines


async def _tombstones(settings: Settings) -> set[str]:
    """The tombstones of the database about to be replaced, if it can be read at all."""
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as db:
            return await erased_key_ids(db)
    except (OSError, SQLAlchemyError):
        return set()
    finally:
        await engine.dispose()


async def restore_database(settings: Settings, cipher: FieldCipher, audit: AuditLog,
                           source: Path) -> Restored:
    """`ouen restore`: keep the replaced database's tombstones in the ledger, put the backup
    back, migrate it, set aside the anchors it cannot match, verify its chain, then erase
    again everyone the ledger names (the same erasure as ever) and scrub SQLite's files."""
    ledger = ErasureLedger(settings.erasure_ledger)
    ledger.add(await _tombstones(settings))
    await asyncio.to_thread(restore, settings.database_url, source)
    await upgrade_async(settings.database_url, settings=settings)
    anchors = Path(settings.var_dir) / ANCHOR_FILE
    engine = create_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        async with sessions() as db:
            head = await audit.verify(db)
        # Ids are consecutive in an intact chain: the last one is the count.
        aside = set_aside_anchors(anchors, head.checked) if head.ok else None
        async with sessions() as db:
            chain = await audit.verify(db, read_anchors(anchors))
        async with sessions() as db, db.begin():
            again = await replay_erasures(db, cipher, audit, ledger.keys(), CLI)
            await audit.record(db, "backup.restored", CLI, detail=f"erased_again={again}")
        await scrub_sqlite(engine)
    finally:
        await engine.dispose()
    return Restored(again, len(ledger.keys()), aside, chain)
