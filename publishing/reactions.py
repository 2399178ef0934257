"""publishing's reactions to what happens below it (core/hooks.py): a case that closes ends
the consent requests still open on its stories (their links stop working), and one withdrawn
or marked as spam takes its published stories down at once, in the same transaction (the
applicant's consent belonged to a proposal that no longer stands)."""

from __future__ import annotations

from sqlmodel import col, select

from admin.events import CaseClosed, case_closed
from admin.workflow import RETRACTED
from core.hooks import Unit
from core.redaction import redact
from intake.events import Disclosure, PersonErased, disclosure_requested, person_erased
from intake.models import Proposal
from publishing.models import Story
from publishing.services import cancel_consent_requests, unpublish_for_closed_case


async def unpublish_retracted_case(unit: Unit, event: CaseClosed) -> None:
    await cancel_consent_requests(unit.db, unit.audit, event.proposal)
    if event.status in RETRACTED:
        await unpublish_for_closed_case(unit.db, unit.audit, event.proposal)


async def _stories(unit: Unit, record: object) -> list[Story]:
    if not isinstance(record, Proposal):
        return []
    rows = await unit.db.exec(select(Story).where(col(Story.proposal_id) == record.id)
                              .order_by(col(Story.id)))
    return list(rows.all())


async def redact_change_requests(unit: Unit, event: PersonErased) -> None:
    """What the applicant asked to change in a story were their words: name and contact
    values go. The published story itself stays (consented, no contact data)."""
    for story in await _stories(unit, event.record):
        if story.change_request:
            story.change_request = redact(story.change_request, event.known)
            unit.db.add(story)


async def disclose(unit: Unit, event: Disclosure) -> None:
    event.sections["stories"] = [
        {"title": s.title, "status": s.status, "address": f"/projects/{s.slug}",
         "consented_at": s.consented_at.isoformat(timespec="seconds") if s.consented_at
         else None}
        for s in await _stories(unit, event.record)]


def install() -> None:
    """Register publishing's reactions (the composition roots call this; twice is harmless)."""
    case_closed.connect(unpublish_retracted_case)
    person_erased.connect(redact_change_requests)
    disclosure_requested.connect(disclose)
