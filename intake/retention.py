"""intake's retention rules (core/retention.py lists them all): closed and spam cases and
retired collaborators are erased (intake/erasure.py) once their period is over; links that
ended are deleted. Each works in batches of its own short transaction, so intake and staff
keep writing while a large purge runs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import SYSTEM, AuditLog
from core.crypto import FieldCipher
from intake.erasure import erase_collaborator, erase_proposal
from intake.models import (
    Collaborator,
    CollaboratorStatus,
    Proposal,
    ProposalStatus,
    SelfServiceLink,
    SelfServiceSession,
    VerificationToken,
)
from intake.self_service import SELF_SERVICE_IDLE

BATCH = 200
PAUSE = 0.005  # seconds between batches: the writer of intake gets its turn
ENDED_CASES = (ProposalStatus.COMPLETED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN)
Sessions = async_sessionmaker[AsyncSession]


def _due_cases(statuses: Sequence[ProposalStatus], cutoff: datetime
               ) -> list[ColumnElement[bool]]:
    return [col(Proposal.status).in_(statuses), col(Proposal.closed_at) < cutoff,
            col(Proposal.erased_at).is_(None)]


def _due_collaborators(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [col(Collaborator.status) == CollaboratorStatus.RETIRED,
            col(Collaborator.left_at) < cutoff, col(Collaborator.erased_at).is_(None)]


async def _count(sessions: Sessions, model: type[Proposal] | type[Collaborator],
                 where: list[ColumnElement[bool]]) -> int:
    async with sessions() as db:
        found = await db.exec(select(func.count()).select_from(model).where(*where))
        return int(found.one())


async def erase_cases(sessions: Sessions, cipher: FieldCipher, audit: AuditLog,
                      statuses: Sequence[ProposalStatus], cutoff: datetime, *,
                      dry_run: bool = False, batch: int = BATCH) -> int:
    """Erase the applicants' data of cases in `statuses` closed before `cutoff`."""
    where = _due_cases(statuses, cutoff)
    if dry_run:
        return await _count(sessions, Proposal, where)
    done = 0
    while True:
        async with sessions() as db, db.begin():
            rows = (await db.exec(select(Proposal).where(*where).order_by(col(Proposal.id))
                                  .limit(batch))).unique().all()
            for proposal in rows:
                done += await erase_proposal(db, cipher, audit, proposal, SYSTEM, "retention")
        if len(rows) < batch:
            return done
        await asyncio.sleep(PAUSE)


async def erase_retired(sessions: Sessions, cipher: FieldCipher, audit: AuditLog,
                        cutoff: datetime, *, dry_run: bool = False, batch: int = BATCH) -> int:
    """Erase the data of collaborators who retired before `cutoff`."""
    where = _due_collaborators(cutoff)
    if dry_run:
        return await _count(sessions, Collaborator, where)
    done = 0
    while True:
        async with sessions() as db, db.begin():
            rows = (await db.exec(select(Collaborator).where(*where)
                                  .order_by(col(Collaborator.id)).limit(batch))).unique().all()
            for collaborator in rows:
                done += await erase_collaborator(db, cipher, audit, collaborator, SYSTEM,
                                                 "retention")
        if len(rows) < batch:
            return done
        await asyncio.sleep(PAUSE)


async def purge_links(db: AsyncSession, cutoff: datetime, now: datetime,
                      dry_run: bool = False) -> int:
    """Email links of intake that ended before `cutoff` — confirmation links used or
    expired, self-service links used or expired — and self-service sessions past their
    idle limit (`now`-based). Returns how many rows go."""
    ended = [
        (VerificationToken, or_(col(VerificationToken.used_at) < cutoff,
                                col(VerificationToken.expires_at) < cutoff)),
        (SelfServiceLink, or_(col(SelfServiceLink.used_at) < cutoff,
                              col(SelfServiceLink.expires_at) < cutoff)),
        (SelfServiceSession, col(SelfServiceSession.last_seen_at) < now - SELF_SERVICE_IDLE),
    ]
    total = 0
    for model, condition in ended:
        total += int((await db.exec(select(func.count()).select_from(model)
                                    .where(condition))).one())
        if not dry_run:
            await db.exec(delete(model).where(condition))
    return total

