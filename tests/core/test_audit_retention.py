"""The audit log's client addresses end (OUEN_RETENTION_AUDIT_IP_DAYS) while the chain stays
verifiable: an erased address leaves its keyed digest and a MAC over it, and the database
accepts that one change to an entry and no other."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from core.audit import Actor, AuditLog
from core.db import utcnow
from core.models import AuditEvent
from core.settings import Settings
from operations import run_retention


async def write(app: Litestar, days_ago: float, ip: str, n: int = 3) -> None:
    audit: AuditLog = app.state.audit
    async with app.state.sessions() as db, db.begin():
        for i in range(n):
            await audit.record(db, "test.event", Actor("staff", 1, ip=ip), detail=f"n={i}",
                               now=utcnow() - timedelta(days=days_ago))


async def rows(app: Litestar) -> list[AuditEvent]:
    async with app.state.sessions() as db:
        return list((await db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all())


async def test_old_addresses_go_and_the_chain_still_verifies(
    client: Any, app: Litestar, settings: Settings
) -> None:
    await write(app, 400, "203.0.113.77")
    await write(app, 10, "198.51.100.9")
    counts = await run_retention(settings, app.state.sessions, app.state.cipher,
                                 app.state.audit)
    assert counts["audit_ip"] == 3
    events = await rows(app)
    old, recent = events[:3], events[3:6]
    assert all(e.ip == "" and e.ip_digest and e.mac_erased for e in old)
    assert {e.ip_digest for e in old} == {app.state.audit.address_digest("203.0.113.0")}
    assert all(e.ip == "198.51.100.0" and not e.mac_erased for e in recent)
    async with app.state.sessions() as db:
        result = await app.state.audit.verify(db)
    assert result.ok and result.checked == len(events)


async def test_only_the_erasure_of_an_address_is_accepted(
    client: Any, app: Litestar, settings: Settings
) -> None:
    await write(app, 400, "203.0.113.77", n=2)
    [first, second] = await rows(app)
    forbidden = [
        "UPDATE audit_event SET detail = 'x' WHERE id = :id",
        "UPDATE audit_event SET ip = '' WHERE id = :id",  # no digest, no second MAC
        "UPDATE audit_event SET ip = '', ip_digest = 'd', mac_erased = 'm', actor = 'x' "
        "WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
    ]
    for sql in forbidden:
        with pytest.raises(DBAPIError):
            async with app.state.engine.begin() as conn:
                await conn.execute(text(sql), {"id": first.id})
    # The one change allowed, but with a forged MAC: the database takes it, verify names it.
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_event SET ip = '', ip_digest = 'd', "
                                "mac_erased = 'forged' WHERE id = :id"), {"id": first.id})
    async with app.state.sessions() as db:
        result = await app.state.audit.verify(db)
    assert not result.ok and result.bad_id == first.id and result.reason == "content altered"
    # And an entry already erased is not erased again.
    with pytest.raises(DBAPIError):
        async with app.state.engine.begin() as conn:
            await conn.execute(text("UPDATE audit_event SET ip = '', ip_digest = 'e', "
                                    "mac_erased = 'n' WHERE id = :id"), {"id": first.id})
    assert second.ip == "203.0.113.0"
