"""The audit chain: append-only events, each keyed-hashed over itself and its predecessor.

The key (OUEN_AUDIT_KEY) is not in the database, so someone who can write to the database
cannot forge a consistent chain; triggers refuse UPDATE and DELETE outright."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, insert, text
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import derive_key, same_secret
from core.db import utcnow
from core.models import AuditEvent

GENESIS = "0" * 64
_LOCK_ID = 0x6F75656E  # "ouen": serialises appends on PostgreSQL


_TABLE: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_LAST = sa_select(_TABLE.c.id, _TABLE.c.mac).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = insert(_TABLE)


def truncate_ip(address: str) -> str:
    """IPv4 to its /24, IPv6 to its /48: enough to see patterns, not to name a household."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


_CHAINED = ("id", "actor", "organisation", "action", "object_type", "object_id", "detail", "ip",
            "prev_mac")


def _payload(row: Mapping[str, Any]) -> bytes:
    fields = {name: row[name] for name in _CHAINED}
    fields["at"] = row["at"].isoformat(timespec="microseconds")
    return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()


def _mac(key: bytes, row: Mapping[str, Any]) -> str:
    return hmac.new(key, _payload(row), hashlib.sha256).hexdigest()


def compute_mac(key: bytes, event: AuditEvent) -> str:
    return _mac(key, event.model_dump())


def _erased_mac(key: bytes, row: Mapping[str, Any], digest: str) -> str:
    """The MAC of an entry whose address was erased: the same fields, the address's keyed
    digest in its place."""
    return _mac(key, {**row, "ip": f"digest:{digest}"})


@dataclass(frozen=True)
class Actor:
    """Who acted, as every audit entry names them: a staff member (`staff:12`, with their
    organisation and role), the system, the command line, or someone from the public
    (`applicant`, `collaborator:CO-…`, `anonymous`); with the client address (truncated to
    its network when written). Staff actors are made by admin (admin/auth.py)."""

    kind: str
    id: int | str | None = None
    organisation: str = ""
    role: str = ""
    ip: str = ""

    @property
    def name(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    @property
    def staff_id(self) -> int | None:
        """The staff member's id when a staff member acts (records say who entered them)."""
        return self.id if self.kind == "staff" and isinstance(self.id, int) else None

    def at(self, ip: str) -> Actor:
        """The same actor seen from client address `ip`."""
        return replace(self, ip=ip)


SYSTEM = Actor("system")
CLI = Actor("cli")


@dataclass(frozen=True)
class Entry:
    """An event to append, before the chain gives it its id and MACs."""

    action: str
    actor: Actor
    object_type: str = ""
    object_id: str | int = ""
    detail: str = ""
    at: datetime | None = None


class AuditLog:
    """Writes events inside the caller's transaction and verifies the chain."""

    def __init__(self, audit_key: str) -> None:
        self._key = derive_key(audit_key, "ouen:audit-chain:v1")
        self._ip_key = derive_key(audit_key, "ouen:audit-address:v1")

    def address_digest(self, ip: str) -> str:
        """A keyed digest of a (truncated) client address: equal addresses compare equal, and
        nobody without OUEN_AUDIT_KEY can tell the address from it."""
        return hmac.new(self._ip_key, ip.encode(), hashlib.sha256).hexdigest()

    def intact(self, event: AuditEvent) -> bool:
        """The entry's MAC fits its content (the erased-address MAC once its address went)."""
        if event.mac_erased:
            expected = _erased_mac(self._key, event.model_dump(), event.ip_digest)
            return event.ip == "" and same_secret(event.mac_erased, expected)
        return same_secret(event.mac, compute_mac(self._key, event))

    async def erase_addresses(self, session: AsyncSession, before: datetime,
                              dry_run: bool = False, batch: int = 5000) -> int:
        """Erase the client address of every entry older than `before` (retention). An entry
        keeps verifying: its address's digest and a MAC over it take the address's place;
        the chain's links (`mac`, `prev_mac`) do not change. Entries whose content does not
        verify are left as they are, for `verify` to name. Returns how many were erased."""
        done, after = 0, 0
        while True:
            rows = list((await session.exec(select(AuditEvent).where(
                col(AuditEvent.id) > after, col(AuditEvent.at) < before,
                col(AuditEvent.ip) != "").order_by(col(AuditEvent.id)).limit(batch))).all())
            if not rows:
                return done
            after = rows[-1].id
            fit = [e for e in rows if self.intact(e)]
            done += len(fit)
            if not dry_run and fit:
                await self._erase(session, fit)

    async def _erase(self, session: AsyncSession, events: list[AuditEvent]) -> None:
        changes = []
        for event in events:
            digest = self.address_digest(event.ip)
            changes.append({"event": event.id, "digest": digest,
                            "erased": _erased_mac(self._key, event.model_dump(), digest)})
        await (await session.connection()).execute(
            _TABLE.update().where(_TABLE.c.id == bindparam("event"))
            .values(ip="", ip_digest=bindparam("digest"), mac_erased=bindparam("erased")),
            changes)
        for event in events:
            session.expire(event)

    async def record(
        self,
        session: AsyncSession,
        action: str,
        actor: Actor,
        *,
        object_type: str = "",
        object_id: str | int = "",
        detail: str = "",
        now: datetime | None = None,
    ) -> AuditEvent:
        """Append one event; the chain head is locked until the caller commits."""
        entry = Entry(action, actor, object_type, object_id, detail, now)
        rows = await self.append(await session.connection(), [entry])
        return AuditEvent(**rows[0])

    async def append(self, conn: AsyncConnection, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        """Append events in order with one statement (a batch of submissions shares one
        read of the chain head); the head is locked until the caller commits."""
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        last = (await conn.execute(_LAST)).first()
        previous_id, previous_mac = (last.id, last.mac) if last else (0, GENESIS)
        rows: list[dict[str, Any]] = []
        for entry in entries:
            row: dict[str, Any] = {
                "id": previous_id + 1,
                "at": entry.at or utcnow(),
                "actor": entry.actor.name,
                "organisation": entry.actor.organisation,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": str(entry.object_id),
                "detail": entry.detail[:500],
                "ip": truncate_ip(entry.actor.ip) if entry.actor.ip else "",
                "prev_mac": previous_mac,
            }
            row["mac"] = _mac(self._key, row)
            rows.append(row)
            previous_id, previous_mac = row["id"], row["mac"]
        # Core insert: every submission writes an event, so this is on the intake hot path.
        await conn.execute(_INSERT, rows)
        return rows

    async def verify(
        self, session: AsyncSession, anchors: dict[int, str] | None = None
    ) -> VerifyResult:
        """Recompute the chain in id order; name the first entry that does not fit.

        `anchors` (id → MAC, kept outside the database: see `write_anchor`) catch what the
        chain alone cannot: entries removed from its end, or a chain rebuilt from scratch."""
        anchors = anchors or {}
        previous_mac, previous_id, count = GENESIS, 0, 0
        async for event in _events(session):
            count += 1
            if event.id != previous_id + 1:
                return VerifyResult(False, count - 1, event.id, "entries missing before it")
            if event.prev_mac != previous_mac:
                return VerifyResult(False, count - 1, event.id, "does not follow its predecessor")
            if not self.intact(event):
                return VerifyResult(False, count - 1, event.id, "content altered")
            anchored = anchors.get(event.id or 0)
            if anchored is not None and not same_secret(anchored, event.mac):
                return VerifyResult(False, count - 1, event.id, "differs from its anchor")
            previous_mac, previous_id = event.mac, event.id
        beyond = [i for i in anchors if i > previous_id]
        if beyond:
            return VerifyResult(False, count, min(beyond),
                                "entries removed from the end (an anchor names it)")
        return VerifyResult(True, count, None, "", head=previous_mac)


ANCHOR_FILE = "audit-anchors.jsonl"


async def write_anchor(session: AsyncSession, path: Path) -> bool:
    """Append the chain's head (id, MAC, time) to a file outside the database, when it moved.
    Run regularly (the worker does, every 10 minutes); copy the file somewhere the database's
    administrators cannot write, e.g. a log server."""
    conn = await session.connection()
    last = (await conn.execute(_LAST)).first()
    if last is None:
        return False
    known = read_anchors(path)
    if known and max(known) >= last.id:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"id": last.id, "mac": last.mac, "at": utcnow().isoformat()})
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    return True


def set_aside_anchors(path: Path, head: int, now: datetime | None = None) -> Path | None:
    """After restoring a backup whose chain ends at entry `head`: move the anchors of later
    entries (which the backup never had, and whose ids new entries will take) out of the
    anchor file into a file of their own beside it, named after the restore. Returns that
    file, or None when no anchor was beyond the backup."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    kept: list[str] = []
    beyond: list[str] = []
    for line in lines:
        try:
            later = int(json.loads(line)["id"]) > head
        except (ValueError, KeyError, TypeError):
            later = False
        (beyond if later else kept).append(line)
    if not beyond:
        return None
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.set-aside-{stamp}")
    aside.write_text("".join(line + "\n" for line in beyond), encoding="utf-8")
    staging = path.with_name(path.name + ".new")
    staging.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    staging.replace(path)
    return aside


def read_anchors(path: Path) -> dict[int, str]:
    """Anchors from the file; unreadable lines are skipped (and so never trusted)."""
    anchors: dict[int, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return anchors
    for line in lines:
        try:
            entry = json.loads(line)
            anchors[int(entry["id"])] = str(entry["mac"])
        except (ValueError, KeyError, TypeError):
            continue
    return anchors


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None
    reason: str
    head: str = ""


async def _events(session: AsyncSession, batch: int = 5000) -> AsyncIterator[AuditEvent]:
    after = 0
    while True:
        query = (
            select(AuditEvent)
            .where(col(AuditEvent.id) > after)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        )
        rows = list((await session.exec(query)).all())
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1].id
