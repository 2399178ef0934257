"""Email verification links, for proposals and for collaborators' registrations alike: one
token table, one /verify/{token} page, single use, 48 hours."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import Actor, AuditLog
from core.crypto import hash_token
from core.db import utcnow
from intake.models import (
    Collaborator,
    CollaboratorStatus,
    Proposal,
    ProposalStatus,
    VerificationToken,
)
from intake.search import index_proposal


class TokenState(enum.Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenCheck:
    """What a link is worth, what it confirms (`proposal` or `collaborator`) and, once
    used, the public reference of that record."""

    state: TokenState
    kind: str = "proposal"
    ref: str | None = None


def _kind(row: VerificationToken) -> str:
    return "collaborator" if row.collaborator_id is not None else "proposal"


async def _find_token(
    session: AsyncSession, token: str, lock: bool = False
) -> VerificationToken | None:
    if not token or len(token) > 100:
        return None
    query = select(VerificationToken).where(VerificationToken.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update()  # two clicks at once: the second waits, then sees USED
    return (await session.exec(query)).first()


def _state(row: VerificationToken | None, now: datetime) -> TokenState:
    if row is None:
        return TokenState.UNKNOWN
    if row.used_at is not None:
        return TokenState.USED
    if row.expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.VALID


async def token_state(session: AsyncSession, token: str, now: datetime | None = None) -> TokenCheck:
    """What a verification link is worth, without changing anything (GET is safe)."""
    row = await _find_token(session, token)
    return TokenCheck(_state(row, now or utcnow()), _kind(row) if row else "proposal")


async def verify_email(
    session: AsyncSession, audit: AuditLog, token: str, ip: str = "", now: datetime | None = None
) -> TokenCheck:
    """Use the token once: a proposal becomes `new`, a collaborator `active`."""
    now = now or utcnow()
    row = await _find_token(session, token, lock=True)
    state = _state(row, now)
    if state is not TokenState.VALID or row is None:
        return TokenCheck(state, _kind(row) if row else "proposal")
    if row.collaborator_id is not None:
        ref = await _activate_collaborator(session, audit, row.collaborator_id, ip, now)
    else:
        ref = await _verify_proposal(session, audit, row.proposal_id or 0, ip, now)
    if ref is None:
        return TokenCheck(TokenState.UNKNOWN, _kind(row))
    row.used_at = now
    session.add(row)
    return TokenCheck(TokenState.VALID, _kind(row), ref)


async def _verify_proposal(
    session: AsyncSession, audit: AuditLog, proposal_id: int, ip: str, now: datetime
) -> str | None:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    if proposal.status == ProposalStatus.UNVERIFIED:
        proposal.status = ProposalStatus.NEW
        proposal.verified_at = now
        session.add(proposal)
        await index_proposal(session, proposal)  # staff can see it now: searchable too
        await audit.record(
            session, "proposal.verified", Actor("applicant", ip=ip), object_type="proposal",
            object_id=proposal.id or "", detail="status unverified -> new", now=now,
        )
    return proposal.ref


async def _activate_collaborator(
    session: AsyncSession, audit: AuditLog, collaborator_id: int, ip: str, now: datetime
) -> str | None:
    collaborator = await session.get(Collaborator, collaborator_id)
    if collaborator is None:
        return None
    if collaborator.status == CollaboratorStatus.UNVERIFIED:
        collaborator.status = CollaboratorStatus.ACTIVE
        collaborator.verified_at = collaborator.updated_at = now
        session.add(collaborator)
        await audit.record(
            session, "collaborator.verified", Actor("collaborator", ip=ip),
            object_type="collaborator", object_id=collaborator.id or "",
            detail="status unverified -> active", now=now,
        )
    return collaborator.ref
