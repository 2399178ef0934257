"""Introductions: consent on both sides before any contact detail moves.

    proposed ──(collaborator accepts)──▶ collaborator_accepted ──(applicant accepts)──▶ introduced
       │                                        │
       ├─ declined (by the collaborator)        ├─ declined (by the applicant)
       ├─ expired (no answer in 14 days; a reminder after 7)
       └─ withdrawn (by a coordinator, at any open step)

A coordinator proposes a suggested collaborator: the collaborator gets an email describing
the proposal (never the applicant's contact data) with a link to answer. When they accept,
the applicant is asked the same way about the collaborator. Only when both have accepted
does one introduction email go to each side with the other's contact details, the
coordinator in copy. Links are single-use and stored as hashes; opening one only shows a
page with buttons (mail scanners that follow links change nothing).

Every step is an audit event on the proposal, so it shows on the proposal's timeline.
A pair never gets a second match: whatever happened to the first (a decline above all)
keeps the collaborator out of that proposal's suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.cases import change_status
from admin.models import StaffUser
from admin.workflow import CLOSED, check_transition
from core.audit import SYSTEM, Actor, AuditLog
from core.crypto import hash_token, new_token
from core.db import utcnow
from core.errors import DomainError
from intake.contact import contact_value, contact_values
from intake.models import Collaborator, CollaboratorStatus, Proposal, ProposalStatus
from matching.models import OPEN_STATES, Match, MatchStatus
from matching.summaries import collaborator_summary, proposal_summary
from notifications.services import Mailer, enqueue_email

EXPIRE_AFTER = timedelta(days=14)


def _email(mailer: Mailer, record: Proposal | Collaborator) -> str:
    """Where to write to someone; a record without a readable address cannot be asked."""
    address = contact_value(mailer.cipher, record, "email")
    if not address:
        raise DomainError("match_no_email")
    return address


def _detail(match: Match, collaborator_ref: str) -> str:
    return f"match={match.id} collaborator={collaborator_ref}"


async def record_step(
    db: AsyncSession,
    audit: AuditLog,
    action: str,
    match: Match,
    collaborator_ref: str,
    *,
    actor: Actor = SYSTEM,
    extra: str = "",
    now: datetime,
) -> None:
    """One step of an introduction on the proposal's record (and so on its timeline)."""
    await audit.record(db, action, actor, object_type="proposal", object_id=match.proposal_id,
                       detail=_detail(match, collaborator_ref) + extra, now=now)


async def active_load(db: AsyncSession, collaborator_id: int) -> int:
    """Projects a collaborator is in now: introductions on proposals still open."""
    result = await db.exec(
        select(func.count())
        .select_from(Match)
        .join(Proposal, col(Proposal.id) == col(Match.proposal_id))
        .where(
            col(Match.collaborator_id) == collaborator_id,
            col(Match.status) == MatchStatus.INTRODUCED,
            col(Proposal.status).not_in(CLOSED),
        )
    )
    return int(result.one())


async def matched_collaborators(db: AsyncSession, proposal_id: int) -> set[int]:
    rows = await db.exec(
        select(Match.collaborator_id).where(col(Match.proposal_id) == proposal_id)
    )
    return set(rows.all())


async def propose(
    db: AsyncSession,
    audit: AuditLog,
    mailer: Mailer,
    proposal: Proposal,
    collaborator: Collaborator,
    actor: Actor,
    *,
    score: float = 0.0,
    confirm_over_capacity: bool = False,
    now: datetime | None = None,
) -> Match:
    """A coordinator proposes a collaborator for a proposal; the collaborator is asked."""
    now = now or utcnow()
    if proposal.status in CLOSED or proposal.verified_at is None:
        raise DomainError("match_proposal_closed")
    if collaborator.status != CollaboratorStatus.ACTIVE:
        raise DomainError("match_collaborator_unavailable")
    if collaborator.id in await matched_collaborators(db, proposal.id or 0):
        raise DomainError("match_exists")
    over = await active_load(db, collaborator.id or 0) >= collaborator.capacity
    if over and not confirm_over_capacity:
        raise DomainError("match_over_capacity", "confirm_over_capacity")
    token = new_token()
    match = Match(
        proposal_id=proposal.id or 0,
        collaborator_id=collaborator.id or 0,
        coordinator_id=actor.staff_id or 0,
        status=MatchStatus.PROPOSED,
        score=score,
        token_hash=hash_token(token),
        asked_at=now,
        proposed_at=now,
        over_capacity=over,
    )
    db.add(match)
    await db.flush()
    await enqueue_email(
        db,
        mailer.cipher,
        template="match_ask_collaborator",
        locale=collaborator.locale,
        recipient=_email(mailer, collaborator),
        context={
            "link": f"{mailer.base_url}/introductions/{token}",
            "proposal": proposal_summary(proposal, collaborator.locale, mailer.cipher),
            "days": EXPIRE_AFTER.days,
        },
        sender_domain=mailer.sender_domain,
        now=now,
    )
    await record_step(db, audit, "match.proposed", match, collaborator.ref, actor=actor,
                  extra=" over_capacity" if over else "", now=now)
    return match


@dataclass(frozen=True)
class Pending:
    """A link as found: the match, who is asked and what they are asked about."""

    match: Match
    side: str  # "collaborator" or "applicant"
    proposal: Proposal
    collaborator: Collaborator


async def find(db: AsyncSession, token: str) -> Pending | None:
    """The open match a link belongs to, or None (unknown, answered or expired)."""
    if not token or len(token) > 100:
        return None
    match = (
        await db.exec(select(Match).where(col(Match.token_hash) == hash_token(token)))
    ).first()
    if match is None or match.status not in OPEN_STATES:
        return None
    proposal = await db.get(Proposal, match.proposal_id)
    collaborator = await db.get(Collaborator, match.collaborator_id)
    if proposal is None or collaborator is None:
        return None
    if proposal.status in CLOSED or collaborator.status != CollaboratorStatus.ACTIVE:
        return None  # the case closed or the collaborator left: nothing may move any more
    side = "collaborator" if match.status == MatchStatus.PROPOSED else "applicant"
    return Pending(match, side, proposal, collaborator)


async def answer(
    db: AsyncSession,
    audit: AuditLog,
    mailer: Mailer,
    pending: Pending,
    accept: bool,
    *,
    ip: str = "",
    now: datetime | None = None,
) -> str:
    """Record a side's answer; returns the new status. The link stops working at once."""
    now = now or utcnow()
    match, proposal, collaborator = pending.match, pending.proposal, pending.collaborator
    # Only the first answer counts, even if two arrive at the same moment.
    claimed = await db.exec(
        update(Match)
        .where(col(Match.id) == match.id, col(Match.token_hash) == match.token_hash)
        .values(token_hash=None)
    )
    if claimed.rowcount != 1:
        raise DomainError("match_link_used")
    match.token_hash = None
    actor = (Actor("collaborator", collaborator.ref, ip=ip) if pending.side == "collaborator"
             else Actor("applicant", ip=ip))
    if pending.side == "collaborator":
        match.collaborator_answered_at = now
    else:
        match.applicant_answered_at = now
    if not accept:
        match.status, match.declined_by, match.closed_at = MatchStatus.DECLINED, pending.side, now
        db.add(match)
        await record_step(db, audit, f"match.{pending.side}_declined", match, collaborator.ref,
                      actor=actor, now=now)
        return match.status
    await record_step(db, audit, f"match.{pending.side}_accepted", match, collaborator.ref,
                  actor=actor, now=now)
    if pending.side == "collaborator":
        token = new_token()
        match.status = MatchStatus.COLLABORATOR_ACCEPTED
        match.token_hash = hash_token(token)
        match.asked_at, match.reminded_at = now, None
        db.add(match)
        await enqueue_email(
            db,
            mailer.cipher,
            template="match_ask_applicant",
            locale=proposal.locale,
            recipient=_email(mailer, proposal),
            context={
                "link": f"{mailer.base_url}/introductions/{token}",
                "proposal": proposal_summary(proposal, proposal.locale, mailer.cipher),
                "collaborator": collaborator_summary(collaborator, proposal.locale, mailer.cipher),
                "days": EXPIRE_AFTER.days,
            },
            sender_domain=mailer.sender_domain,
            now=now,
        )
        return match.status
    await _introduce(db, audit, mailer, match, proposal, collaborator, now)
    return match.status


async def _introduce(
    db: AsyncSession,
    audit: AuditLog,
    mailer: Mailer,
    match: Match,
    proposal: Proposal,
    collaborator: Collaborator,
    now: datetime,
) -> None:
    """Both sides said yes: each gets the other's contact details, the coordinator in copy."""
    coordinator = await db.get(StaffUser, match.coordinator_id)
    cc = coordinator.email if coordinator and coordinator.active else None
    mine, theirs = contact_values(mailer.cipher, proposal), contact_values(mailer.cipher,
                                                                          collaborator)
    applicant = {"name": mine["nickname"] or "", "org_name": proposal.org_name or "",
                 "email": mine["email"] or "", "phone": mine["phone"] or ""}
    helper = {"name": theirs["display_name"] or "", "org_name": collaborator.org_name or "",
              "email": theirs["email"] or "", "phone": theirs["phone"] or ""}
    coordinator_name = coordinator.display_name if coordinator else ""
    for recipient, locale, other, role in (
        (applicant["email"], proposal.locale, helper, "applicant"),
        (helper["email"], collaborator.locale, applicant, "collaborator"),
    ):
        await enqueue_email(
            db,
            mailer.cipher,
            template="match_introduction",
            locale=locale,
            recipient=recipient,
            cc=cc,
            context={
                "role": role,
                "other": other,
                "proposal": proposal_summary(proposal, locale, mailer.cipher),
                "coordinator": coordinator_name,
            },
            sender_domain=mailer.sender_domain,
            now=now,
        )
    match.status, match.closed_at = MatchStatus.INTRODUCED, now
    db.add(match)
    # The load changed: touching the row lets every instance's index pick it up.
    collaborator.updated_at = now
    db.add(collaborator)
    # The coordinator in copy receives both sides' contact details: on the record.
    await record_step(db, audit, "match.introduced", match, collaborator.ref,
                  extra=f" cc=staff:{coordinator.id}" if cc and coordinator else "", now=now)
    if check_transition(proposal.status, ProposalStatus.MATCHED, "") is None:
        await change_status(db, audit, proposal, ProposalStatus.MATCHED, "")


async def withdraw(
    db: AsyncSession,
    audit: AuditLog,
    match: Match,
    collaborator: Collaborator,
    actor: Actor,
) -> None:
    if match.status not in OPEN_STATES:
        raise DomainError("match_not_open")
    now = utcnow()
    match.status, match.token_hash, match.closed_at = MatchStatus.WITHDRAWN, None, now
    db.add(match)
    await record_step(db, audit, "match.withdrawn", match, collaborator.ref, actor=actor, now=now)


async def close_open_matches(
    db: AsyncSession,
    audit: AuditLog,
    *,
    proposal_id: int | None = None,
    collaborator_id: int | None = None,
    reason: str,
) -> int:
    """Withdraw the open introductions of a case that closed or of a collaborator who
    paused or retired: their links stop working and nobody is introduced."""
    query = select(Match).where(col(Match.status).in_(OPEN_STATES))
    if proposal_id is not None:
        query = query.where(col(Match.proposal_id) == proposal_id)
    if collaborator_id is not None:
        query = query.where(col(Match.collaborator_id) == collaborator_id)
    now = utcnow()
    closed = 0
    for match in (await db.exec(query)).all():
        match.status, match.token_hash, match.closed_at = MatchStatus.WITHDRAWN, None, now
        db.add(match)
        await audit.record(db, "match.withdrawn", SYSTEM, object_type="proposal",
                           object_id=match.proposal_id, detail=f"match={match.id} {reason}",
                           now=now)
        closed += 1
    return closed


async def matches_of(db: AsyncSession, proposal_id: int) -> list[tuple[Match, Collaborator]]:
    rows = await db.exec(
        select(Match, Collaborator)
        .join(Collaborator, col(Collaborator.id) == col(Match.collaborator_id))
        .where(col(Match.proposal_id) == proposal_id)
        .order_by(col(Match.proposed_at).desc())
    )
    return list(rows.all())
