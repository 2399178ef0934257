"""Intake domain logic: store a proposal, verify its email, purge what was never verified."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, insert
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import AuditLog
from core.crypto import FieldCipher, hash_token, new_token
from core.db import utcnow
from intake.models import Proposal, VerificationToken
from intake.validation import ProposalInput
from notifications.services import enqueue_email

POLICY_VERSION = "2026-11-01"
_PROPOSAL: Table = Proposal.__table__  # type: ignore[attr-defined]
_TOKEN: Table = VerificationToken.__table__  # type: ignore[attr-defined]
# Built once: statements with bound parameters are compiled once and cached, where
# `.values({...})` per call would rebuild and re-key the statement every request.
INSERT_PROPOSAL = insert(_PROPOSAL).returning(_PROPOSAL.c.id)
INSERT_TOKEN = insert(_TOKEN)
TOKEN_VALIDITY = timedelta(hours=48)
UNVERIFIED_RETENTION = timedelta(hours=48)
_REF_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone


def new_reference() -> str:
    """A public reference code such as `OU-7KQM-2XPD`, safe to say on the phone."""
    chars = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"OU-{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class Submitted:
    ref: str
    proposal_id: int


async def submit_proposal(
    session: AsyncSession,
    cipher: FieldCipher,
    audit: AuditLog,
    data: ProposalInput,
    *,
    locale: str,
    base_url: str,
    sender_domain: str,
    email_bidx: str | None = None,
    ip: str = "",
    now: datetime | None = None,
) -> Submitted:
    """Store an unverified proposal and queue its confirmation email, in one transaction."""
    now = now or utcnow()
    ref = new_reference()
    proposal_id = await _insert(
        session, cipher, data, ref=ref, status="unverified", locale=locale, source="web",
        now=now, email_bidx=email_bidx,
    )
    token = new_token()
    await (await session.connection()).execute(
        INSERT_TOKEN,
        {"proposal_id": proposal_id, "token_hash": hash_token(token),
         "expires_at": now + TOKEN_VALIDITY},
    )
    await enqueue_email(
        session,
        cipher,
        template="proposal_verify",
        locale=locale,
        recipient=data.email,
        context={
            "ref": ref,
            "verify_url": f"{base_url}/verify/{token}",
            "catchphrase": data.catchphrase,
            "valid_hours": int(TOKEN_VALIDITY.total_seconds() // 3600),
        },
        sender_domain=sender_domain,
        now=now,
    )
    await audit.record(
        session, "proposal.submitted", actor="applicant", object_type="proposal",
        object_id=proposal_id, detail=f"source=web locale={locale}", ip=ip, now=now,
    )
    return Submitted(ref=ref, proposal_id=proposal_id)


async def _insert(
    session: AsyncSession, cipher: FieldCipher, data: ProposalInput, *, ref: str, status: str,
    locale: str, source: str, now: datetime, email_bidx: str | None = None,
    verified_at: datetime | None = None, entered_by_id: int | None = None,
    consent_method: str = "web_form",
) -> int:
    def enc(value: str | None) -> str | None:
        return cipher.encrypt(value) if value else None

    # Core inserts, not ORM objects: this is the hot path of intake (see bench/intake.py),
    # and the unit of work would add a flush and per-object bookkeeping for nothing.
    conn = await session.connection()
    result = await conn.execute(
        INSERT_PROPOSAL,
        dict(
            ref=ref,
            status=status,
            category=data.category,
            ward=data.ward,
            org_name=data.org_name,
            catchphrase=data.catchphrase,
            body=data.body,
            nickname_enc=cipher.encrypt(data.nickname),
            email_enc=cipher.encrypt(data.email),
            email_bidx=email_bidx or cipher.blind_index(data.email),
            phone_enc=cipher.encrypt(data.phone),
            website_url_enc=enc(data.website_url),
            facebook_url_enc=enc(data.facebook_url),
            twitter_enc=enc(data.twitter),
            locale=locale,
            source=source,
            consent_at=now,
            consent_method=consent_method,
            policy_version=POLICY_VERSION,
            created_at=now,
            verified_at=verified_at,
            entered_by_id=entered_by_id,
        ),
    )
    proposal_id: int = result.scalar_one()
    return proposal_id


async def enter_on_behalf(
    session: AsyncSession, cipher: FieldCipher, audit: AuditLog, data: ProposalInput, *,
    staff_id: int, actor: str, organisation: str, source: str, consent_method: str,
    locale: str = "ja", ip: str = "",
) -> Submitted:
    """A proposal received by phone or on paper, entered by staff: no email round trip;
    the record says who entered it and how the person's consent was obtained."""
    now = utcnow()
    ref = new_reference()
    proposal_id = await _insert(
        session, cipher, data, ref=ref, status="new", locale=locale, source=source, now=now,
        verified_at=now, entered_by_id=staff_id, consent_method=consent_method,
    )
    await audit.record(
        session, "proposal.entered_on_behalf", actor=actor, organisation=organisation,
        object_type="proposal", object_id=proposal_id,
        detail=f"source={source} consent={consent_method}", ip=ip,
    )
    return Submitted(ref=ref, proposal_id=proposal_id)


class TokenState(enum.Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


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


async def token_state(session: AsyncSession, token: str, now: datetime | None = None) -> TokenState:
    """What a verification link is worth, without changing anything (GET is safe)."""
    return _state(await _find_token(session, token), now or utcnow())


async def verify_email(
    session: AsyncSession, audit: AuditLog, token: str, ip: str = "", now: datetime | None = None
) -> tuple[TokenState, str | None]:
    """Use the token once: the proposal becomes `new`. Returns the state and the reference."""
    now = now or utcnow()
    row = await _find_token(session, token, lock=True)
    state = _state(row, now)
    if state is not TokenState.VALID or row is None:
        return state, None
    proposal = await session.get(Proposal, row.proposal_id)
    if proposal is None:
        return TokenState.UNKNOWN, None
    row.used_at = now
    session.add(row)
    if proposal.status == "unverified":
        proposal.status = "new"
        proposal.verified_at = now
        session.add(proposal)
        await audit.record(
            session, "proposal.verified", actor="applicant", object_type="proposal",
            object_id=proposal.id or "", detail="status unverified -> new", ip=ip, now=now,
        )
    return TokenState.VALID, proposal.ref


async def purge_unverified(
    session: AsyncSession,
    audit: AuditLog,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete proposals never verified within 48 h, and their tokens. Returns the count."""
    cutoff = (now or utcnow()) - UNVERIFIED_RETENTION
    stale = select(Proposal.id).where(
        col(Proposal.status) == "unverified", col(Proposal.created_at) < cutoff
    )
    ids = list((await session.exec(stale)).all())
    if dry_run or not ids:
        return len(ids)
    await session.exec(delete(VerificationToken).where(col(VerificationToken.proposal_id).in_(ids)))
    await session.exec(delete(Proposal).where(col(Proposal.id).in_(ids)))
    await audit.record(
        session, "retention.purge_unverified", actor="system", object_type="proposal",
        detail=f"deleted={len(ids)}", now=now,
    )
    return len(ids)
