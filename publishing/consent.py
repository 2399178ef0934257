"""The applicant's side of a story: consent by a private preview link, and withdrawal.

Links are emailed, single-use, and only their SHA-256 is stored. Opening one shows a page;
only the POST behind its button acts (mail scanners follow links). Requests for consent
expire after 30 days (staff can send a new one). Withdrawal works at any time and takes the
story off the public site in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import Actor, AuditLog
from core.crypto import hash_token, new_token
from core.db import utcnow
from core.errors import DomainError
from intake.contact import contact_value
from intake.models import Proposal
from notifications.services import Mailer, enqueue_email
from publishing import workflow
from publishing.models import Story, StoryStatus
from publishing.services import COMMENT_MAX, SOURCE_REFUSED, move

CONSENT_VALID = timedelta(days=30)


def _applicant_email(mailer: Mailer, proposal: Proposal) -> str:
    address = contact_value(mailer.cipher, proposal, "email")
    if not address:
        raise DomainError("story_no_email")  # erased, or entered without one
    return address


async def request_consent(db: AsyncSession, audit: AuditLog, mailer: Mailer, story: Story,
                          actor: Actor) -> None:
    """Email the applicant a private preview link; a new request replaces the old link."""
    if not workflow.can("request_consent", story.status):
        raise DomainError("story_step_invalid")
    proposal = await db.get(Proposal, story.proposal_id)
    if proposal is None or proposal.status in SOURCE_REFUSED:
        raise DomainError("story_source_invalid")
    recipient = _applicant_email(mailer, proposal)
    now, token = utcnow(), new_token()
    story.consent_token_hash, story.consent_requested_at = hash_token(token), now
    await move(db, audit, story, "request_consent", actor, now)
    await enqueue_email(
        db, mailer.cipher, template="story_consent_request", locale=proposal.locale,
        recipient=recipient, sender_domain=mailer.sender_domain, now=now,
        context={"link": f"{mailer.base_url}/stories/consent/{token}", "title": story.title,
                 "ref": proposal.ref, "catchphrase": proposal.catchphrase,
                 "days": CONSENT_VALID.days},
    )


async def publish(db: AsyncSession, audit: AuditLog, mailer: Mailer, story: Story,
                  actor: Actor) -> None:
    """Put the story on the public site. After a fresh consent the applicant is told, with
    a link to withdraw it at any time; publishing again after a take-down keeps that link."""
    if not workflow.can("publish", story.status, consented=story.consented_at is not None):
        raise DomainError("story_step_invalid")
    proposal = await db.get(Proposal, story.proposal_id)
    if proposal is None or proposal.status in SOURCE_REFUSED:
        raise DomainError("story_source_invalid")
    now = utcnow()
    fresh = story.status == StoryStatus.CONSENTED or story.withdraw_token_hash is None
    token = new_token() if fresh else ""
    recipient = _applicant_email(mailer, proposal) if fresh else ""
    if fresh:
        story.withdraw_token_hash = hash_token(token)
    story.published_at = story.published_at or now  # a take-down does not re-date it
    await move(db, audit, story, "publish", actor, now)
    if fresh:
        await enqueue_email(
            db, mailer.cipher, template="story_published", locale=proposal.locale,
            recipient=recipient, sender_domain=mailer.sender_domain, now=now,
            context={"title": story.title, "story_url": f"{mailer.base_url}/projects/{story.slug}",
                     "withdraw_link": f"{mailer.base_url}/stories/withdraw/{token}",
                     "ref": proposal.ref},
        )


@dataclass(frozen=True)
class Link:
    """What an emailed link leads to; `state` is "open", "expired" or "gone"."""

    state: str
    story: Story | None = None


async def _by_token(db: AsyncSession, column: str, token: str, lock: bool) -> Story | None:
    if not token or len(token) > 100:
        return None
    query = select(Story).where(col(getattr(Story, column)) == hash_token(token))
    if lock:  # the answering POST: one answer wins, even if two arrive together
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await db.exec(query)).first()


async def consent_link(db: AsyncSession, token: str, *, lock: bool = False,
                       now: datetime | None = None) -> Link:
    story = await _by_token(db, "consent_token_hash", token, lock)
    if story is None or story.status != StoryStatus.CONSENT_REQUESTED:
        return Link("gone")
    asked = story.consent_requested_at
    if asked is None or asked + CONSENT_VALID < (now or utcnow()):
        return Link("expired", story)
    return Link("open", story)


async def answer_consent(db: AsyncSession, audit: AuditLog, story: Story, agree: bool,
                         comment: str = "", ip: str = "") -> None:
    """The applicant agrees, or asks for a change (their comment goes to the editors).
    The link works once."""
    comment = comment.replace("\r\n", "\n").strip()
    if not agree and not comment:
        raise DomainError("story_comment_required")
    if len(comment) > COMMENT_MAX:
        raise DomainError("story_comment_too_long")
    now = utcnow()
    story.consent_token_hash = None
    if agree:
        story.consented_at = now
        story.consent_withdrawn_at = None
        await move(db, audit, story, "consent", Actor("applicant", ip=ip), now,
                   "story.consented")
    else:
        story.change_request, story.change_request_by = comment, "applicant"
        await move(db, audit, story, "ask_changes", Actor("applicant", ip=ip), now,
                   "story.changes_requested")


async def withdraw_link(db: AsyncSession, token: str, *, lock: bool = False) -> Link:
    story = await _by_token(db, "withdraw_token_hash", token, lock)
    if story is None or not workflow.can("withdraw", story.status):
        return Link("gone")
    return Link("open", story)


async def withdraw_consent(db: AsyncSession, audit: AuditLog, story: Story, ip: str = "") -> None:
    """The applicant takes their consent back: the story leaves the public site at once and
    cannot go back without a new review and a new consent."""
    now = utcnow()
    story.withdraw_token_hash = story.consent_token_hash = None
    story.consented_at, story.consent_withdrawn_at = None, now
    await move(db, audit, story, "withdraw", Actor("applicant", ip=ip), now,
               "story.consent_withdrawn")


async def purge_consent_links(db: AsyncSession, before: datetime, dry_run: bool = False) -> int:
    """Consent links that expired unanswered before `before` (30 days after they were
    asked for): the hash goes, so nothing is left of a link that can no longer be used."""
    ended = (col(Story.consent_token_hash).is_not(None),
             col(Story.consent_requested_at) < before - CONSENT_VALID)
    stories = list((await db.exec(select(Story).where(*ended))).all())
    if not dry_run:
        for story in stories:
            story.consent_token_hash = None
            db.add(story)
    return len(stories)
