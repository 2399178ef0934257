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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import UniqueConstraint, func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import StaffUser
from admin.services import actor_of
from admin.workflow import CLOSED, check_transition
from core.audit import AuditLog
from core.crypto import FieldCipher, hash_token, new_token
from core.db import utcnow
from core.i18n import make_gettext
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Proposal
from matching.models import Collaborator
from notifications.services import Mailer, enqueue_email
from publishing import personal_data as pd

OPEN_STATES = ("proposed", "collaborator_accepted")
FINAL_STATES = ("introduced", "declined", "expired", "withdrawn")
REMIND_AFTER = timedelta(days=7)
EXPIRE_AFTER = timedelta(days=14)
EXCERPT = 400


class Match(SQLModel, table=True):
    """One proposed introduction between a proposal and a collaborator."""

    __tablename__ = "introduction"  # one row per attempted introduction
    __table_args__ = (UniqueConstraint("proposal_id", "collaborator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    collaborator_id: int = Field(foreign_key="collaborator.id", ondelete="CASCADE", index=True)
    coordinator_id: int = Field(foreign_key="staff_user.id")
    status: str = Field(max_length=24, index=True)
    declined_by: str | None = Field(default=None, max_length=16)
    score: float = 0.0
    # SHA-256 of the link sent to whoever is asked now; cleared once they answer.
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    asked_at: datetime  # when the current side was asked (reminder and expiry count from it)
    reminded_at: datetime | None = None
    proposed_at: datetime
    collaborator_answered_at: datetime | None = None
    applicant_answered_at: datetime | None = None
    closed_at: datetime | None = None
    over_capacity: bool = False


class MatchError(ValueError):
    """A step that cannot be taken; `code` is a message key for the page."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _detail(match: Match, collaborator_ref: str) -> str:
    return f"match={match.id} collaborator={collaborator_ref}"


async def _record(
    db: AsyncSession,
    audit: AuditLog,
    action: str,
    match: Match,
    collaborator_ref: str,
    *,
    actor: str = "system",
    organisation: str = "",
    extra: str = "",
    ip: str = "",
    now: datetime,
) -> None:
    """One step of an introduction on the proposal's record (and so on its timeline)."""
    await audit.record(db, action, actor=actor, organisation=organisation,
                       object_type="proposal", object_id=match.proposal_id,
                       detail=_detail(match, collaborator_ref) + extra, ip=ip, now=now)


def _ward_label(code: str | None, _: Callable[..., str]) -> str:
    label = WARD_LABELS.get(code or "")
    return _(label) if label else ""


def proposal_summary(proposal: Proposal, locale: str, cipher: FieldCipher) -> dict[str, str]:
    """What a collaborator may learn about a proposal before both sides agree: its text,
    never the applicant's nickname or contact details — not even where the applicant wrote
    them into the text themselves (they are blacked out). Labels in the reader's language."""
    _ = make_gettext(locale)
    known = pd.proposal_values(cipher, proposal, "applicant")
    body = pd.redact(proposal.body, known)
    body = body if len(body) <= EXCERPT else body[:EXCERPT] + "…"
    category = CATEGORY_LABELS.get(proposal.category)
    return {
        "ref": proposal.ref,
        "catchphrase": pd.redact(proposal.catchphrase, known),
        "category": _(category) if category else "",
        "ward": _ward_label(proposal.ward, _),
        "org_name": proposal.org_name or "",
        "body": body,
    }


def collaborator_summary(
    collaborator: Collaborator, locale: str, cipher: FieldCipher
) -> dict[str, object]:
    """What an applicant may learn about a collaborator before both sides agree: the
    organisation, what they offer and their introduction (contact values in it blacked
    out); not their name or contact details."""
    _ = make_gettext(locale)
    intro = pd.redact(collaborator.intro, pd.collaborator_values(cipher, collaborator))
    return {
        "ref": collaborator.ref,
        "org_name": collaborator.org_name or "",
        "offers": "、".join(collaborator.offers),
        "wards": "、".join(_ward_label(w, _) for w in collaborator.wards),
        "intro": intro if len(intro) <= EXCERPT else intro[:EXCERPT] + "…",
    }


async def active_load(db: AsyncSession, collaborator_id: int) -> int:
    """Projects a collaborator is in now: introductions on proposals still open."""
    result = await db.exec(
        select(func.count())
        .select_from(Match)
        .join(Proposal, col(Proposal.id) == col(Match.proposal_id))
        .where(
            col(Match.collaborator_id) == collaborator_id,
            col(Match.status) == "introduced",
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
    staff: StaffUser,
    *,
    score: float = 0.0,
    confirm_over_capacity: bool = False,
    ip: str = "",
    now: datetime | None = None,
) -> Match:
    """A coordinator proposes a collaborator for a proposal; the collaborator is asked."""
    now = now or utcnow()
    if proposal.status in CLOSED or proposal.verified_at is None:
        raise MatchError("match_proposal_closed")
    if collaborator.status != "active":
        raise MatchError("match_collaborator_unavailable")
    if collaborator.id in await matched_collaborators(db, proposal.id or 0):
        raise MatchError("match_exists")
    over = await active_load(db, collaborator.id or 0) >= collaborator.capacity
    if over and not confirm_over_capacity:
        raise MatchError("match_over_capacity")
    token = new_token()
    match = Match(
        proposal_id=proposal.id or 0,
        collaborator_id=collaborator.id or 0,
        coordinator_id=staff.id or 0,
        status="proposed",
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
        recipient=mailer.cipher.decrypt(collaborator.email_enc),
        context={
            "link": f"{mailer.base_url}/introductions/{token}",
            "proposal": proposal_summary(proposal, collaborator.locale, mailer.cipher),
            "days": EXPIRE_AFTER.days,
        },
        sender_domain=mailer.sender_domain,
        now=now,
    )
    await _record(db, audit, "match.proposed", match, collaborator.ref,
                  actor=actor_of(staff), organisation=staff.organisation,
                  extra=" over_capacity" if over else "", ip=ip, now=now)
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
    if proposal.status in CLOSED or collaborator.status != "active":
        return None  # the case closed or the collaborator left: nothing may move any more
    side = "collaborator" if match.status == "proposed" else "applicant"
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
        raise MatchError("match_link_used")
    match.token_hash = None
    actor = f"collaborator:{collaborator.ref}" if pending.side == "collaborator" else "applicant"
    if pending.side == "collaborator":
        match.collaborator_answered_at = now
    else:
        match.applicant_answered_at = now
    if not accept:
        match.status, match.declined_by, match.closed_at = "declined", pending.side, now
        db.add(match)
        await _record(db, audit, f"match.{pending.side}_declined", match, collaborator.ref,
                      actor=actor, ip=ip, now=now)
        return match.status
    await _record(db, audit, f"match.{pending.side}_accepted", match, collaborator.ref,
                  actor=actor, ip=ip, now=now)
    if pending.side == "collaborator":
        token = new_token()
        match.status = "collaborator_accepted"
        match.token_hash = hash_token(token)
        match.asked_at, match.reminded_at = now, None
        db.add(match)
        await enqueue_email(
            db,
            mailer.cipher,
            template="match_ask_applicant",
            locale=proposal.locale,
            recipient=mailer.cipher.decrypt(proposal.email_enc),
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
    decrypt = mailer.cipher.decrypt
    coordinator = await db.get(StaffUser, match.coordinator_id)
    cc = coordinator.email if coordinator and coordinator.active else None
    applicant = {
        "name": decrypt(proposal.nickname_enc),
        "org_name": proposal.org_name or "",
        "email": decrypt(proposal.email_enc),
        "phone": decrypt(proposal.phone_enc),
    }
    helper = {
        "name": decrypt(collaborator.display_name_enc),
        "org_name": collaborator.org_name or "",
        "email": decrypt(collaborator.email_enc),
        "phone": decrypt(collaborator.phone_enc),
    }
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
    match.status, match.closed_at = "introduced", now
    db.add(match)
    # The load changed: touching the row lets every instance's index pick it up.
    collaborator.updated_at = now
    db.add(collaborator)
    # The coordinator in copy receives both sides' contact details: on the record.
    await _record(db, audit, "match.introduced", match, collaborator.ref,
                  extra=f" cc=staff:{coordinator.id}" if cc and coordinator else "", now=now)
    if check_transition(proposal.status, "matched", "") is None:
        from admin.cases import change_status

        await change_status(db, audit, proposal, "matched", "", None)


async def withdraw(
    db: AsyncSession,
    audit: AuditLog,
    match: Match,
    collaborator: Collaborator,
    staff: StaffUser,
    ip: str = "",
) -> None:
    if match.status not in OPEN_STATES:
        raise MatchError("match_not_open")
    now = utcnow()
    match.status, match.token_hash, match.closed_at = "withdrawn", None, now
    db.add(match)
    await _record(db, audit, "match.withdrawn", match, collaborator.ref,
                  actor=actor_of(staff), organisation=staff.organisation, ip=ip, now=now)


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
        match.status, match.token_hash, match.closed_at = "withdrawn", None, now
        db.add(match)
        await audit.record(db, "match.withdrawn", actor="system", object_type="proposal",
                           object_id=match.proposal_id, detail=f"match={match.id} {reason}",
                           now=now)
        closed += 1
    return closed


async def remind_and_expire(
    db: AsyncSession,
    audit: AuditLog,
    mailer: Mailer,
    now: datetime | None = None,
    skip_locked: bool = False,
) -> tuple[int, int]:
    """Hourly chore: a reminder after 7 days without an answer (with a fresh link, since
    only hashes are kept), expiry after 14. Returns (reminded, expired). With several
    workers on PostgreSQL each row is taken by one of them (SKIP LOCKED)."""
    now = now or utcnow()
    reminded = expired = 0
    query = select(Match).where(
        col(Match.status).in_(OPEN_STATES), col(Match.asked_at) <= now - REMIND_AFTER
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    stale = await db.exec(query)
    for match in stale.all():
        proposal = await db.get(Proposal, match.proposal_id)
        collaborator = await db.get(Collaborator, match.collaborator_id)
        if proposal is None or collaborator is None:
            continue
        if match.asked_at <= now - EXPIRE_AFTER:
            match.status, match.token_hash, match.closed_at = "expired", None, now
            db.add(match)
            await _record(db, audit, "match.expired", match, collaborator.ref, now=now)
            expired += 1
            continue
        if match.reminded_at is not None:
            continue
        token = new_token()
        match.token_hash, match.reminded_at = hash_token(token), now
        db.add(match)
        asks_collaborator = match.status == "proposed"
        locale = collaborator.locale if asks_collaborator else proposal.locale
        await enqueue_email(
            db,
            mailer.cipher,
            template="match_ask_collaborator" if asks_collaborator else "match_ask_applicant",
            locale=locale,
            recipient=mailer.cipher.decrypt(
                collaborator.email_enc if asks_collaborator else proposal.email_enc
            ),
            context={
                "link": f"{mailer.base_url}/introductions/{token}",
                "proposal": proposal_summary(proposal, locale, mailer.cipher),
                "collaborator": collaborator_summary(collaborator, locale, mailer.cipher),
                "days": (match.asked_at + EXPIRE_AFTER - now).days,
                "reminder": True,
            },
            sender_domain=mailer.sender_domain,
            now=now,
        )
        await _record(db, audit, "match.reminded", match, collaborator.ref, now=now)
        reminded += 1
    return reminded, expired


async def matches_of(db: AsyncSession, proposal_id: int) -> list[tuple[Match, Collaborator]]:
    rows = await db.exec(
        select(Match, Collaborator)
        .join(Collaborator, col(Collaborator.id) == col(Match.collaborator_id))
        .where(col(Match.proposal_id) == proposal_id)
        .order_by(col(Match.proposed_at).desc())
    )
    return list(rows.all())
