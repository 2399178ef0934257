"""matching's reactions to what happens below it (core/hooks.py): an introduction may not
go on once its case has closed or its collaborator has left — the open requests are
withdrawn at once and their links stop working, in the same transaction."""

from __future__ import annotations

from admin.events import CaseClosed, case_closed
from core.hooks import Unit
from intake.events import CollaboratorLeft, collaborator_left
from matching.introductions import close_open_matches


async def withdraw_for_closed_case(unit: Unit, event: CaseClosed) -> None:
    await close_open_matches(unit.db, unit.audit, proposal_id=event.proposal.id,
                             reason=f"reason=case {event.status}")


async def withdraw_for_collaborator(unit: Unit, event: CollaboratorLeft) -> None:
    collaborator = event.collaborator
    await close_open_matches(unit.db, unit.audit, collaborator_id=collaborator.id,
                             reason=f"reason=collaborator {collaborator.status}")


def install() -> None:
    """Register matching's reactions (the composition roots call this; twice is harmless)."""
    case_closed.connect(withdraw_for_closed_case)
    collaborator_left.connect(withdraw_for_collaborator)
