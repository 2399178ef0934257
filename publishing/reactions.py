"""publishing's reactions to what happens below it (core/hooks.py): a case withdrawn or
marked as spam takes its published stories down at once, in the same transaction (the
applicant's consent belonged to a proposal that no longer stands)."""

from __future__ import annotations

from admin.events import CaseClosed, case_closed
from admin.workflow import RETRACTED
from core.hooks import Unit
from publishing.services import unpublish_for_closed_case


async def unpublish_retracted_case(unit: Unit, event: CaseClosed) -> None:
    if event.status in RETRACTED:
        await unpublish_for_closed_case(unit.db, unit.audit, event.proposal)


def install() -> None:
    """Register publishing's reactions (the composition roots call this; twice is harmless)."""
    case_closed.connect(unpublish_retracted_case)
