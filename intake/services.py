"""Intake domain logic: a proposal's row, staff entry, purge of what was never verified
(proposals and collaborators). Web submissions are written by intake.writer; email links
are checked in intake.verification."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import SYSTEM, Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.models import RecordKey
from core.record_keys import destroy_record_keys
from intake.contact import contact_value, sealed
from intake.models import (
    Collaborator,
    CollaboratorStatus,
    Proposal,
    ProposalStatus,
    VerificationToken,
)
from intake.search import index_text
from intake.validation import ProposalInput
from notifications.services import withdraw_unsent

POLICY_VERSION = "2026-11-01"
_PROPOSAL: Table = Proposal.__table__  # type: ignore[attr-defined]
# Built once: statements with bound parameters are compiled once and cached, where
# `.values({...})` per call would rebuild and re-key the statement every request.
INSERT_PROPOSAL = insert(_PROPOSAL).returning(_PROPOSAL.c.id)
INSERT_KEY = insert(RecordKey.__table__)  # type: ignore[attr-defined]
TOKEN_VALIDITY = timedelta(hours=48)
UNVERIFIED_RETENTION = timedelta(hours=48)
_REF_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone


def new_reference(prefix: str = "OU") -> str:
    """A public reference code such as `OU-7KQM-2XPD`, safe to say on the phone."""
    chars = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class Submitted:
    ref: str
    proposal_id: int


def proposal_row(
    cipher: FieldCipher, data: ProposalInput, *, ref: str, status: ProposalStatus, locale: str,
    source: str, now: datetime, email_bidx: str | None = None,
    verified_at: datetime | None = None, entered_by_id: int | None = None,
    consent_method: str = "web_form",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The proposal's record key and row: contact data sealed under that key, the email's
    blind index, the policy version recorded."""
    key, columns = sealed(cipher, {
        "nickname": data.nickname, "email": data.email, "phone": data.phone,
        "website_url": data.website_url, "facebook_url": data.facebook_url,
        "twitter": data.twitter,
    }, now)
    return key, dict(
        **columns,
        ref=ref,
        status=status,
        category=data.category,
        ward=data.ward,
        org_name=data.org_name,
        catchphrase=data.catchphrase,
        body=data.body,
        email_bidx=email_bidx or cipher.blind_index(data.email),
        locale=locale,
        source=source,
        consent_at=now,
        consent_method=consent_method,
        policy_version=POLICY_VERSION,
        created_at=now,
        verified_at=verified_at,
        entered_by_id=entered_by_id,
    )


async def enter_on_behalf(
    session: AsyncSession, cipher: FieldCipher, audit: AuditLog, data: ProposalInput,
    actor: Actor, *, source: str, consent_method: str, locale: str = "ja",
) -> Submitted:
    """A proposal received by phone or on paper, entered by staff: no email round trip;
    the record says who entered it and how the person's consent was obtained."""
    now = utcnow()
    ref = new_reference()
    key, row = proposal_row(cipher, data, ref=ref, status=ProposalStatus.NEW, locale=locale,
                            source=source, now=now, verified_at=now,
                            entered_by_id=actor.staff_id, consent_method=consent_method)
    conn = await session.connection()
    await conn.execute(INSERT_KEY, key)
    result = await conn.execute(INSERT_PROPOSAL, row)
    proposal_id: int = result.scalar_one()
    # Staff see it at once, so it is searchable at once.
    await index_text(session, proposal_id, data.catchphrase, data.body)
    await audit.record(
        session, "proposal.entered_on_behalf", actor, object_type="proposal",
        object_id=proposal_id, detail=f"source={source} consent={consent_method}",
    )
    return Submitted(ref=ref, proposal_id=proposal_id)


async def purge_unverified(
    session: AsyncSession,
    audit: AuditLog,
    now: datetime | None = None,
    dry_run: bool = False,
    retention: timedelta = UNVERIFIED_RETENTION,
    record: bool = True,
) -> int:
    """Delete proposals and collaborators never verified within `retention` (48 h), with
    their record keys, tokens and confirmation emails not yet sent. Returns how many
    records were (or, with `dry_run`, would be) deleted; with `record`, each kind deleted is
    an audit event (the daily run records one event for all its rules instead)."""
    cutoff = (now or utcnow()) - retention
    deleted = 0
    for model, token_column, unverified in (
        (Proposal, VerificationToken.proposal_id, ProposalStatus.UNVERIFIED),
        (Collaborator, VerificationToken.collaborator_id, CollaboratorStatus.UNVERIFIED),
    ):
        stale = select(model.id, model.key_id).where(
            col(model.status) == unverified, col(model.created_at) < cutoff
        )
        found = list((await session.exec(stale)).all())
        ids = [row[0] for row in found]
        deleted += len(ids)
        if dry_run or not ids:
            continue
        await session.exec(delete(VerificationToken).where(col(token_column).in_(ids)))
        # Their confirmation emails too, if still queued: the link in them is dead now, and
        # the queue holds the address until it gives up after three days.
        await withdraw_unsent(session, model.__tablename__, [i for i in ids if i is not None])
        await session.exec(delete(model).where(col(model.id).in_(ids)))
        await destroy_record_keys(session, [row[1] for row in found if row[1]])
        if record:
            await audit.record(
                session, "retention.purge_unverified", SYSTEM,
                object_type=model.__tablename__, detail=f"deleted={len(ids)}", now=now,
            )
    return deleted


async def reindex_email_lookups(
    session: AsyncSession, cipher: FieldCipher, audit: AuditLog, batch: int = 1000
) -> int:
    """Recompute every stored email blind index with the cipher's (current) index key, from
    the sealed addresses: run after changing OUEN_INDEX_KEY. Returns the rows updated."""
    updated = 0
    for model in (Proposal, Collaborator):
        updated += await _reindex(session, cipher, model, batch)
    await audit.record(session, "keys.email_index_rebuilt", SYSTEM, detail=f"rows={updated}")
    return updated


async def _reindex(session: AsyncSession, cipher: FieldCipher, model: Any, batch: int) -> int:
    table: Table = model.__table__
    conn = await session.connection()
    updated, after = 0, 0
    while True:
        rows = list((await session.exec(select(model).where(col(model.id) > after)
                                        .order_by(col(model.id)).limit(batch))).all())
        if not rows:
            return updated
        changes = [{"row_id": row.id, "bidx": _index_of(cipher, row)} for row in rows]
        await conn.execute(table.update().where(table.c.id == bindparam("row_id"))
                           .values(email_bidx=bindparam("bidx")), changes)
        updated += len(changes)
        after = rows[-1].id or 0


def _index_of(cipher: FieldCipher, record: Proposal | Collaborator) -> str | None:
    email = contact_value(cipher, record, "email")
    return cipher.blind_index(email) if email else None
