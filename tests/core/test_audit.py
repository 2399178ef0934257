"""The audit chain: appends, database refusal of changes, and detection of tampering."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import SYSTEM, Actor, AuditLog, VerifyResult, truncate_ip
from core.models import AuditEvent
from core.settings import Settings
from tests.conftest import SmtpCapture
from tests.factories import submit_and_verify


async def record_five(app: Litestar) -> None:
    audit: AuditLog = app.state.audit
    async with app.state.sessions() as session, session.begin():
        for n in range(5):
            await audit.record(session, "test.event",
                               Actor("staff", 1, organisation="神戸市", ip="203.0.113.77"),
                               object_type="proposal", object_id=n, detail=f"n={n}")


async def tampered(
    app: Litestar, settings: Settings, change: Callable[[AsyncConnection], Awaitable[Any]]
) -> VerifyResult:
    """Disable the triggers, tamper, verify — all in one transaction that is rolled back."""
    async with app.state.engine.connect() as conn:
        transaction = await conn.begin()
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            await conn.execute(text("DROP TRIGGER audit_event_no_update"))
            await conn.execute(text("DROP TRIGGER audit_event_no_delete"))
        await change(conn)
        result = await AuditLog(settings.audit_key).verify(AsyncSession(bind=conn))
        await transaction.rollback()
    return result


async def test_chain_verifies_and_ip_is_truncated(client: Any, app: Litestar) -> None:
    await record_five(app)
    async with app.state.sessions() as session:
        result = await app.state.audit.verify(session)
        events = list((await session.exec(select(AuditEvent))).all())
    assert result.ok and result.checked == 5 and len(result.head) == 64
    assert {e.ip for e in events} == {"203.0.113.0"}
    assert events[1].prev_mac == events[0].mac


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET detail = 'x' WHERE id = 2",
                                       "DELETE FROM audit_event WHERE id = 2"])
async def test_database_refuses_update_and_delete(
    client: Any, app: Litestar, statement: str
) -> None:
    await record_five(app)
    with pytest.raises(DBAPIError, match="append-only"):
        async with app.state.engine.begin() as conn:
            await conn.execute(text(statement))


async def test_altered_entry_is_named(client: Any, app: Litestar, settings: Settings) -> None:
    await record_five(app)

    async def alter(conn: AsyncConnection) -> None:
        await conn.execute(text("UPDATE audit_event SET detail = 'n=99' WHERE id = 3"))

    result = await tampered(app, settings, alter)
    assert not result.ok and result.bad_id == 3 and result.reason == "content altered"


async def test_deleted_entry_is_caught(client: Any, app: Litestar, settings: Settings) -> None:
    await record_five(app)

    async def remove(conn: AsyncConnection) -> None:
        await conn.execute(text("DELETE FROM audit_event WHERE id = 2"))

    result = await tampered(app, settings, remove)
    assert not result.ok and result.bad_id == 3 and result.checked == 1


async def test_reordered_entries_are_caught(
    client: Any, app: Litestar, settings: Settings
) -> None:
    await record_five(app)

    async def swap(conn: AsyncConnection) -> None:
        # Move entry 2 to the end and entry 5 into its place, keeping every MAC as it was.
        await conn.execute(text("UPDATE audit_event SET id = 100 WHERE id = 2"))
        await conn.execute(text("UPDATE audit_event SET id = 2 WHERE id = 5"))
        await conn.execute(text("UPDATE audit_event SET id = 5 WHERE id = 100"))

    result = await tampered(app, settings, swap)
    assert not result.ok and result.bad_id == 2


async def test_wrong_key_fails_at_first_entry(
    client: Any, app: Litestar, settings: Settings
) -> None:
    await record_five(app)
    async with app.state.sessions() as session:
        result = await AuditLog("some-other-key-" + "z" * 32).verify(session)
    assert not result.ok and result.bad_id == 1


async def test_citizen_journey_is_audited_without_personal_data(
    client: Any, app: Litestar, worker: Any, smtp: SmtpCapture
) -> None:
    token = await submit_and_verify(client, worker, smtp)
    async with app.state.sessions() as session:
        events = list(
            (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
        )
        assert (await app.state.audit.verify(session)).ok
    assert [e.action for e in events] == ["proposal.submitted", "proposal.verified"]
    assert events[0].object_type == "proposal" and events[0].object_id == "1"
    flat = " ".join(f"{e.actor} {e.detail} {e.object_id} {e.ip}" for e in events)
    for value in ("taro.kobe@example.jp", "0783225211", "こうべ太郎", token):
        assert value not in flat


def test_truncate_ip() -> None:
    assert truncate_ip("198.51.100.23") == "198.51.100.0"
    assert truncate_ip("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert truncate_ip("not an address") == ""


def test_cli_verify(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "OUEN_VAR_DIR": str(tmp_path), "OUEN_DATABASE_URL": database_url}
    run = [sys.executable, "-m", "cli"]
    assert subprocess.run([*run, "migrate"], env=env, capture_output=True, check=False,
                          timeout=120).returncode == 0
    result = subprocess.run([*run, "audit", "verify"], env=env, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0 and "audit chain intact: 0 entries" in result.stdout


def test_cli_names_the_first_bad_entry(tmp_path: Path, database_url: str) -> None:
    import asyncio

    from sqlalchemy import text

    from core.db import create_engine, session_factory
    from core.settings import load_settings

    env = {**os.environ, "OUEN_VAR_DIR": str(tmp_path), "OUEN_DATABASE_URL": database_url}
    run = [sys.executable, "-m", "cli"]
    subprocess.run([*run, "migrate"], env=env, capture_output=True, check=True, timeout=120)
    settings = load_settings({"OUEN_VAR_DIR": str(tmp_path), "OUEN_DATABASE_URL": database_url})

    async def write() -> int:
        engine = create_engine(settings.database_url)
        async with session_factory(engine)() as session, session.begin():
            for n in range(3):
                await AuditLog(settings.audit_key).record(session, "test.event", SYSTEM,
                                                          detail=f"n={n}")
        async with engine.begin() as conn:  # tamper as someone with the database would
            if database_url.startswith("sqlite"):
                await conn.execute(text("DROP TRIGGER audit_event_no_update"))
            else:
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
            second = (await conn.execute(text(
                "SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 1"))).scalar_one()
            await conn.execute(text("UPDATE audit_event SET actor = 'staff:evil' WHERE id = :i"),
                               {"i": second})
        await engine.dispose()
        return int(second)

    altered = asyncio.run(write())
    result = subprocess.run([*run, "audit", "verify"], env=env, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 1
    assert f"BROKEN at entry {altered}: content altered" in result.stdout


async def test_anchors_kept_outside_the_database_catch_a_truncated_or_rebuilt_chain(
    client: Any, app: Any, tmp_path: Any
) -> None:
    from core.audit import read_anchors, write_anchor

    anchors_file = tmp_path / "anchors.jsonl"
    async with app.state.sessions() as session, session.begin():
        for i in range(3):
            await app.state.audit.record(session, "test.event", Actor("test"), detail=str(i))
    async with app.state.sessions() as session:
        assert await write_anchor(session, anchors_file)
        assert not await write_anchor(session, anchors_file)  # head has not moved
    anchors = read_anchors(anchors_file)
    assert list(anchors) == [3]
    async with app.state.sessions() as session:
        assert (await app.state.audit.verify(session, anchors)).ok
        # An anchor beyond the end: entries were removed from the end of the chain.
        gone = await app.state.audit.verify(session, {**anchors, 5: "0" * 64})
        assert not gone.ok and gone.bad_id == 5 and "removed from the end" in gone.reason
        # An anchor that disagrees: the chain was rebuilt (e.g. with a stolen key).
        rebuilt = await app.state.audit.verify(session, {2: "f" * 64})
        assert not rebuilt.ok and rebuilt.bad_id == 2
    anchors_file.write_text(anchors_file.read_text() + "not json\n")
    assert read_anchors(anchors_file) == anchors


def test_cli_checks_anchors_given_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "OUEN_VAR_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "cli"]
    subprocess.run([*run, "migrate"], env=env, capture_output=True, check=True, timeout=120)
    truncated = subprocess.run([*run, "audit", "verify", "--anchor", "4:" + "a" * 64], env=env,
                               capture_output=True, text=True, check=False, timeout=120)
    assert truncated.returncode == 1 and "removed from the end" in truncated.stdout
    malformed = subprocess.run([*run, "audit", "verify", "--anchor", "x"], env=env,
                               capture_output=True, text=True, check=False, timeout=120)
    assert malformed.returncode == 2 and "ID:MAC" in malformed.stderr
