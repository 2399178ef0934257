"""What erasing a person's data means — the same whoever asks: a retention rule, the person
on /my, or staff carrying out a request that came by phone or letter.

A proposal: its record key is destroyed, so its contact values cannot be opened in any copy
of the database (WAL, replicas, backups: crypto-shredding); the contact columns and the email's
blind index are emptied; the organisation name, catchphrase and body (the person's own
words) are emptied and leave the search index; its email links and self-service sessions
are deleted and any email still queued about it is withdrawn. The packages above clear what
they hold (`intake.events.person_erased`): in contact summaries, notes and status reasons
(admin) and in a story's change request (publishing), the person's name and every contact
value are replaced by […]. What remains is what statistics and the audit trail need: the
reference, category, ward, status and dates. A published story stays published (the person
consented to it and it holds no contact data) unless they withdraw that consent.

A collaborator: the same for their name, email, phone, organisation name and introduction;
their offers, categories, wards and availability stay as statistics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.hooks import Unit
from core.record_keys import destroy_record_keys, surviving_keys
from intake.contact import collaborator_values, proposal_values
from intake.events import PersonErased, person_erased
from intake.models import (
    Collaborator,
    Proposal,
    SelfServiceLink,
    SelfServiceSession,
    VerificationToken,
)
from intake.search import unindex
from notifications.services import withdraw_unsent

PROPOSAL_TEXT = ("nickname_enc", "email_enc", "email_bidx", "phone_enc", "website_url_enc",
                 "facebook_url_enc", "twitter_enc", "org_name")
COLLABORATOR_TEXT = ("display_name_enc", "email_enc", "email_bidx", "phone_enc", "org_name")


async def _links_of(db: AsyncSession, record: Proposal | Collaborator) -> None:
    column = "proposal_id" if isinstance(record, Proposal) else "collaborator_id"
    for model in (VerificationToken, SelfServiceLink, SelfServiceSession):
        await db.exec(delete(model).where(col(getattr(model, column)) == record.id))
    await withdraw_unsent(db, record.__tablename__, [record.id or 0])


async def _shred(db: AsyncSession, record: Proposal | Collaborator, columns: tuple[str, ...],
                 now: datetime) -> None:
    key_id = record.key_id
    for name in columns:
        setattr(record, name, None)
    record.key_id, record.key, record.erased_at = None, None, now
    db.add(record)
    await db.flush()
    await destroy_record_keys(db, [key_id] if key_id else [])


async def erase_proposal(db: AsyncSession, cipher: FieldCipher, audit: AuditLog,
                         proposal: Proposal, actor: Actor, reason: str) -> bool:
    """Erase the applicant's data of `proposal` (see the module's docstring), in the
    caller's transaction. False when it was erased already."""
    if proposal.erased_at is not None:
        return False
    now = utcnow()
    known = proposal_values(cipher, proposal, "applicant")
    await unindex(db, proposal.id or 0)
    await person_erased.emit(Unit(db, audit), PersonErased(proposal, known))
    proposal.catchphrase, proposal.body = "", ""
    await _links_of(db, proposal)
    await _shred(db, proposal, PROPOSAL_TEXT, now)
    await audit.record(db, "person.erased", actor, object_type="proposal",
                       object_id=proposal.id or "", detail=f"reason={reason}", now=now)
    return True


async def erase_collaborator(db: AsyncSession, cipher: FieldCipher, audit: AuditLog,
                             collaborator: Collaborator, actor: Actor, reason: str) -> bool:
    """Erase a collaborator's data (see the module's docstring); False when done already."""
    if collaborator.erased_at is not None:
        return False
    now = utcnow()
    known = collaborator_values(cipher, collaborator)
    await person_erased.emit(Unit(db, audit), PersonErased(collaborator, known))
    collaborator.intro = ""
    await _links_of(db, collaborator)
    await _shred(db, collaborator, COLLABORATOR_TEXT, now)
    await audit.record(db, "person.erased", actor, object_type="collaborator",
                       object_id=collaborator.id or "", detail=f"reason={reason}", now=now)
    return True


async def replay_erasures(db: AsyncSession, cipher: FieldCipher, audit: AuditLog,
                          key_ids: Iterable[str], actor: Actor) -> int:
    """Erase again everyone whose record key is in `key_ids` (the erasure ledger) but still
    in this database — a backup restored from before their erasure — and destroy any other
    such key. Returns how many people were erased again."""
    alive = await surviving_keys(db, key_ids)
    erased = 0
    for start in range(0, len(alive), 500):
        batch = alive[start:start + 500]
        for proposal in (await db.exec(select(Proposal).where(
                col(Proposal.key_id).in_(batch)))).all():
            erased += await erase_proposal(db, cipher, audit, proposal, actor, "restored")
        for collaborator in (await db.exec(select(Collaborator).where(
                col(Collaborator.key_id).in_(batch)))).all():
            erased += await erase_collaborator(db, cipher, audit, collaborator, actor,
                                               "restored")
        await destroy_record_keys(db, batch)
    return erased
