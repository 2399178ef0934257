"""matching's reactions to what happens below it (core/hooks.py): an introduction may not
go on once its case has closed or its collaborator has left — the open requests are
withdrawn at once and their links stop working, in the same transaction."""

from __future__ import annotations

from sqlmodel import col, select

from admin.events import CaseClosed, case_closed
from core.hooks import Unit
from intake.events import (
    CollaboratorLeft,
    Disclosure,
    PersonErased,
    collaborator_left,
    disclosure_requested,
    person_erased,
)
from intake.models import Proposal
from matching.introductions import close_open_matches
from matching.models import Match, Project, ProjectMember


async def withdraw_for_closed_case(unit: Unit, event: CaseClosed) -> None:
    await close_open_matches(unit.db, unit.audit, proposal_id=event.proposal.id,
                             reason=f"reason=case {event.status}")


async def withdraw_for_collaborator(unit: Unit, event: CollaboratorLeft) -> None:
    collaborator = event.collaborator
    await close_open_matches(unit.db, unit.audit, collaborator_id=collaborator.id,
                             reason=f"reason=collaborator {collaborator.status}")


async def withdraw_for_erased(unit: Unit, event: PersonErased) -> None:
    """Someone erased cannot be introduced: their open requests are withdrawn."""
    record = event.record
    mine = {"proposal_id": record.id} if isinstance(record, Proposal) else {
        "collaborator_id": record.id}
    await close_open_matches(unit.db, unit.audit, reason="reason=erased", **mine)


async def disclose(unit: Unit, event: Disclosure) -> None:
    """The introductions and projects a person is part of, for what we hold about them."""
    record = event.record
    column = Match.proposal_id if isinstance(record, Proposal) else Match.collaborator_id
    matches = (await unit.db.exec(select(Match).where(col(column) == record.id)
                                  .order_by(col(Match.id)))).all()
    event.sections["introductions"] = [
        {"status": m.status, "proposed_at": m.proposed_at.isoformat(timespec="seconds"),
         "closed_at": m.closed_at.isoformat(timespec="seconds") if m.closed_at else None}
        for m in matches]
    member = (ProjectMember.proposal_id if isinstance(record, Proposal)
              else ProjectMember.collaborator_id)
    projects = (await unit.db.exec(select(Project).join(
        ProjectMember, col(ProjectMember.project_id) == col(Project.id)).where(
        col(member) == record.id))).all()
    event.sections["projects"] = [
        {"project": p.id, "formed_at": p.created_at.isoformat(timespec="seconds")}
        for p in projects]


def install() -> None:
    """Register matching's reactions (the composition roots call this; twice is harmless)."""
    case_closed.connect(withdraw_for_closed_case)
    collaborator_left.connect(withdraw_for_collaborator)
    person_erased.connect(withdraw_for_erased)
    disclosure_requested.connect(disclose)
