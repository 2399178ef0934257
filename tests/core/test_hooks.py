"""core/hooks.py: reactions run in order, inside the caller's transaction; a failing one
rolls the whole change back."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from core.audit import SYSTEM, AuditLog
from core.db import create_engine, session_factory
from core.hooks import Hook, Unit
from core.migrate import upgrade_async
from core.models import AuditEvent


@dataclass(frozen=True)
class Happened:
    what: str


async def test_reactions_run_in_order_once_each_and_see_the_event(tmp_path: object) -> None:
    hook: Hook[Happened] = Hook("test.happened")
    seen: list[str] = []

    async def first(unit: Unit, event: Happened) -> None:
        seen.append(f"first:{event.what}")

    async def second(unit: Unit, event: Happened) -> None:
        seen.append(f"second:{event.what}")

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)  # installing twice changes nothing
    assert hook.reactions == (f"{__name__}.{first.__qualname__}",
                              f"{__name__}.{second.__qualname__}")
    await hook.emit(Unit(None, AuditLog("k" * 32)), Happened("x"))  # type: ignore[arg-type]
    assert seen == ["first:x", "second:x"]
    hook.disconnect(first)
    await hook.emit(Unit(None, AuditLog("k" * 32)), Happened("y"))  # type: ignore[arg-type]
    assert seen == ["first:x", "second:x", "second:y"]


async def test_a_failing_reaction_rolls_back_the_callers_transaction(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/hooks.db"
    await upgrade_async(url)
    engine = create_engine(url)
    audit = AuditLog("k" * 32)
    hook: Hook[Happened] = Hook("test.happened")

    async def writes(unit: Unit, event: Happened) -> None:
        await unit.audit.record(unit.db, "reaction.ran", SYSTEM, detail=event.what)

    async def fails(unit: Unit, event: Happened) -> None:
        raise RuntimeError("the reaction failed")

    hook.connect(writes)
    hook.connect(fails)
    with pytest.raises(RuntimeError):
        async with session_factory(engine)() as db, db.begin():
            await audit.record(db, "change.made", SYSTEM)
            await hook.emit(Unit(db, audit), Happened("x"))
    hook.disconnect(fails)
    async with session_factory(engine)() as db, db.begin():
        await audit.record(db, "change.made", SYSTEM)
        await hook.emit(Unit(db, audit), Happened("y"))
    async with session_factory(engine)() as db:
        rows = (await db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    await engine.dispose()
    # Nothing of the failed attempt stayed: neither the change nor the first reaction's row.
    assert [(e.action, e.detail) for e in rows] == [("change.made", ""), ("reaction.ran", "y")]
