"""The hourly chore of introductions: a reminder after 7 days without an answer (with a
fresh link, since only hashes are kept), expiry after 14."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import AuditLog
from core.crypto import hash_token, new_token
from core.db import utcnow
from intake.contact import contact_value
from intake.models import Collaborator, Proposal
from matching.introductions import EXPIRE_AFTER, record_step
from matching.models import OPEN_STATES, Match, MatchStatus
from matching.summaries import collaborator_summary, proposal_summary
from notifications.services import Mailer, enqueue_email

REMIND_AFTER = timedelta(days=7)


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
            match.status, match.token_hash, match.closed_at = MatchStatus.EXPIRED, None, now
            db.add(match)
            await record_step(db, audit, "match.expired", match, collaborator.ref, now=now)
            expired += 1
            continue
        asks_collaborator = match.status == MatchStatus.PROPOSED
        recipient = contact_value(mailer.cipher, collaborator if asks_collaborator else proposal,
                                  "email")
        if match.reminded_at is not None or not recipient:
            continue
        token = new_token()
        match.token_hash, match.reminded_at = hash_token(token), now
        db.add(match)
        locale = collaborator.locale if asks_collaborator else proposal.locale
        await enqueue_email(
            db,
            mailer.cipher,
            template="match_ask_collaborator" if asks_collaborator else "match_ask_applicant",
            locale=locale,
            recipient=recipient,
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
        await record_step(db, audit, "match.reminded", match, collaborator.ref, now=now)
        reminded += 1
    return reminded, expired
