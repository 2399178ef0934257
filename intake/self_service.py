"""The applicant's and the collaborator's own rights, without an account (/my).

Someone gives an email address and a reference number (empty for collaborators); when they
match a record, a single-use link valid for 24 hours is emailed to that address (the page
answers the same either way). Opening the link shows a button; pressing it (a POST) uses
the link up and starts a short session (30 minutes idle) in which they can see everything we
hold about them (開示), download it, correct it (訂正), withdraw their proposal, pause or
retire as a collaborator, and erase their data (利用停止・消去; intake/erasure.py). Every step
is an audit event on the record. Staff carry out requests that come by phone or letter with
the same functions (admin's rights requests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import Actor, AuditLog
from core.crypto import FieldCipher, hash_token, new_token
from core.db import utcnow
from core.errors import DomainError
from core.hooks import Unit
from intake.contact import contact_values, record_cipher
from intake.events import Disclosure, disclosure_requested
from intake.models import (
    Collaborator,
    CollaboratorStatus,
    Proposal,
    ProposalStatus,
    SelfServiceLink,
    SelfServiceSession,
)
from intake.search import index_proposal, unindex
from intake.validation import ProposalInput
from notifications.services import Mailer, enqueue_email

LINK_VALID = timedelta(hours=24)
SELF_SERVICE_IDLE = timedelta(minutes=30)
COOKIE = "ouen_my"
Person = Proposal | Collaborator


def person_actor(record: Person, ip: str = "") -> Actor:
    """The person themselves, as the audit log names them."""
    if isinstance(record, Proposal):
        return Actor("applicant", ip=ip)
    return Actor("collaborator", record.ref, ip=ip)


async def find_people(db: AsyncSession, cipher: FieldCipher, email: str, ref: str
                      ) -> list[Person]:
    """The records an email address (and a proposal's reference) name: through the blind
    index only, never by reading addresses. Erased and unconfirmed records are not found."""
    bidx = cipher.blind_index(email)
    ref = ref.strip().upper()
    if ref:
        query = select(Proposal).where(col(Proposal.email_bidx) == bidx,
                                       col(Proposal.ref) == ref,
                                       col(Proposal.status) != ProposalStatus.UNVERIFIED,
                                       col(Proposal.erased_at).is_(None))
        return list((await db.exec(query)).unique().all())
    helpers = select(Collaborator).where(
        col(Collaborator.email_bidx) == bidx, col(Collaborator.erased_at).is_(None),
        col(Collaborator.status) != CollaboratorStatus.UNVERIFIED)
    return list((await db.exec(helpers)).unique().all())


async def request_links(db: AsyncSession, cipher: FieldCipher, audit: AuditLog,
                        mailer: Mailer, email: str, ref: str, *, locale: str, ip: str) -> int:
    """Email a self-service link to `email` for each record it names (usually one); returns
    how many (never shown: the page says the same whatever the answer)."""
    people = await find_people(db, cipher, email, ref)
    now = utcnow()
    links = []
    for record in people:
        token = new_token()
        mine = isinstance(record, Proposal)
        db.add(SelfServiceLink(token_hash=hash_token(token), created_at=now,
                               expires_at=now + LINK_VALID,
                               proposal_id=record.id if mine else None,
                               collaborator_id=None if mine else record.id))
        links.append({"ref": record.ref, "url": f"{mailer.base_url}/my/{token}"})
        await audit.record(db, "self_service.link_sent", person_actor(record, ip),
                           object_type=record.__tablename__, object_id=record.id or "",
                           now=now)
    if links:
        await enqueue_email(db, cipher, template="self_service_link", locale=locale,
                            recipient=email, context={"links": links, "hours": 24},
                            sender_domain=mailer.sender_domain, now=now)
    return len(links)


async def open_link(db: AsyncSession, token: str, lock: bool = False,
                    now: datetime | None = None) -> SelfServiceLink | None:
    """The link, if it is ours, unused and in time (GET shows a button; nothing changes)."""
    if not token or len(token) > 100:
        return None
    query = select(SelfServiceLink).where(col(SelfServiceLink.token_hash) == hash_token(token))
    if lock:
        query = query.with_for_update()
    link = (await db.exec(query)).first()
    if link is None or link.used_at is not None or link.expires_at <= (now or utcnow()):
        return None
    return link


async def start_session(db: AsyncSession, audit: AuditLog, link: SelfServiceLink, ip: str
                        ) -> str | None:
    """Use the link up and open a session; the cookie's token (its hash is stored)."""
    record = await _subject(db, link.proposal_id, link.collaborator_id)
    if record is None or record.erased_at is not None:
        return None
    now = utcnow()
    link.used_at = now
    db.add(link)
    token = new_token()
    db.add(SelfServiceSession(id_hash=hash_token(token), proposal_id=link.proposal_id,
                              collaborator_id=link.collaborator_id, created_at=now,
                              last_seen_at=now))
    await audit.record(db, "self_service.opened", person_actor(record, ip),
                       object_type=record.__tablename__, object_id=record.id or "", now=now)
    return token


async def _subject(db: AsyncSession, proposal_id: int | None, collaborator_id: int | None
                   ) -> Person | None:
    if proposal_id:
        return await db.get(Proposal, proposal_id)
    return await db.get(Collaborator, collaborator_id) if collaborator_id else None


async def session_person(db: AsyncSession, token: str) -> Person | None:
    """Whose session the cookie is, while it lives (30 minutes idle)."""
    if not token or len(token) > 100:
        return None
    row = await db.get(SelfServiceSession, hash_token(token))
    now = utcnow()
    if row is None or now - row.last_seen_at > SELF_SERVICE_IDLE:
        return None
    record = await _subject(db, row.proposal_id, row.collaborator_id)
    if record is None or record.erased_at is not None:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.add(row)
    return record


async def end_session(db: AsyncSession, token: str) -> None:
    row = await db.get(SelfServiceSession, hash_token(token)) if token else None
    if row is not None:
        await db.delete(row)


@dataclass
class Held:
    """Everything we hold about a person, in plain terms (開示)."""

    kind: str  # "proposal" or "collaborator"
    record: dict[str, Any]
    contact: dict[str, str | None]
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


_PROPOSAL_FIELDS = ("ref", "status", "category", "ward", "org_name", "catchphrase", "body",
                    "locale", "source", "consent_at", "consent_method", "policy_version",
                    "created_at", "verified_at", "closed_at")
_COLLABORATOR_FIELDS = ("ref", "status", "org_name", "org_type", "categories", "wards",
                        "offers", "availability", "capacity", "intro", "locale", "consent_at",
                        "consent_method", "policy_version", "created_at", "verified_at")


async def held(db: AsyncSession, cipher: FieldCipher, audit: AuditLog, record: Person
               ) -> Held:
    """What we hold about `record`'s person: the record, its contact data in clear (it is
    theirs), and what the other packages hold about it (introductions, stories …)."""
    names = _PROPOSAL_FIELDS if isinstance(record, Proposal) else _COLLABORATOR_FIELDS
    shown = {name: _plain(getattr(record, name)) for name in names}
    disclosure = Disclosure(record, {})
    await disclosure_requested.emit(Unit(db, audit), disclosure)
    return Held(record.__tablename__, shown, contact_values(cipher, record),
                disclosure.sections)


def _plain(value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


async def correct_proposal(db: AsyncSession, cipher: FieldCipher, audit: AuditLog,
                           proposal: Proposal, data: ProposalInput, actor: Actor) -> list[str]:
    """Their corrected contact data and texts (訂正): sealed again under the record's key,
    the email's index and the search index follow. The audit event names the fields that
    changed, never their values; staff see it on the case's timeline."""
    sealer = record_cipher(cipher, proposal)
    if sealer is None or proposal.erased_at is not None:
        raise DomainError("self_service_erased")
    before = contact_values(cipher, proposal)
    after = {"nickname": data.nickname, "email": data.email, "phone": data.phone,
             "website_url": data.website_url, "facebook_url": data.facebook_url,
             "twitter": data.twitter}
    changed = [name for name, value in after.items() if (before[name] or None) != value]
    for name in changed:
        value = after[name]
        setattr(proposal, f"{name}_enc", sealer.seal(name, value) if value else None)
    if "email" in changed:
        proposal.email_bidx = cipher.blind_index(data.email)
    texts = {"org_name": data.org_name, "catchphrase": data.catchphrase, "body": data.body}
    moved = [name for name, value in texts.items() if getattr(proposal, name) != value]
    if {"catchphrase", "body"} & set(moved):
        await unindex(db, proposal.id or 0)
    for name in moved:
        setattr(proposal, name, texts[name])
    db.add(proposal)
    if {"catchphrase", "body"} & set(moved):
        await db.flush()
        await index_proposal(db, proposal)
    if changed or moved:
        await audit.record(db, "person.corrected", actor, object_type="proposal",
                           object_id=proposal.id or "",
                           detail="fields=" + ",".join(changed + moved))
    return changed + moved


async def correct_collaborator(db: AsyncSession, cipher: FieldCipher, audit: AuditLog,
                               collaborator: Collaborator, contact: Mapping[str, str],
                               actor: Actor) -> list[str]:
    """A collaborator's corrected `display_name`, `email` and `phone`, checked already
    (their profile is updated with intake.collaborators.update_profile)."""
    sealer = record_cipher(cipher, collaborator)
    if sealer is None or collaborator.erased_at is not None:
        raise DomainError("self_service_erased")
    before = contact_values(cipher, collaborator)
    after = {name: contact[name] for name in ("display_name", "email", "phone")}
    changed = [name for name, value in after.items() if (before[name] or None) != value]
    for name in changed:
        setattr(collaborator, f"{name}_enc", sealer.seal(name, after[name]))
    if "email" in changed:
        collaborator.email_bidx = cipher.blind_index(after["email"])
    if changed:
        collaborator.updated_at = utcnow()
        db.add(collaborator)
        await audit.record(db, "person.corrected", actor, object_type="collaborator",
                           object_id=collaborator.id or "", detail="fields=" + ",".join(changed))
    return changed
