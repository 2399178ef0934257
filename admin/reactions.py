"""admin's reactions to what happens in intake (core/hooks.py): when a person's data is
erased, the texts staff wrote about their case lose the person's name and contact values;
when an applicant withdraws their proposal themselves, the case workflow withdraws it."""

from __future__ import annotations

from sqlmodel import col, select

from admin.cases import change_status
from admin.models import CaseNote, ContactEntry, ProposalTransition
from admin.workflow import OPEN
from core.hooks import Unit
from core.redaction import redact
from intake.events import (
    PersonErased,
    WithdrawalRequested,
    person_erased,
    withdrawal_requested,
)
from intake.models import Proposal, ProposalStatus

STAFF_TEXTS = ((ContactEntry, "summary"), (CaseNote, "text"), (ProposalTransition, "reason"))


async def redact_case_texts(unit: Unit, event: PersonErased) -> None:
    """Contact summaries, notes and status reasons of the case, with the person's name and
    every contact value replaced by […]."""
    if not isinstance(event.record, Proposal):
        return
    for model, name in STAFF_TEXTS:
        rows = (await unit.db.exec(select(model).where(
            col(model.proposal_id) == event.record.id))).all()
        for row in rows:
            text = getattr(row, name)
            cleaned = redact(text, event.known)
            if cleaned != text:
                setattr(row, name, cleaned)
                unit.db.add(row)


async def withdraw_case(unit: Unit, event: WithdrawalRequested) -> None:
    if event.proposal.status in OPEN:
        await change_status(unit.db, unit.audit, event.proposal, ProposalStatus.WITHDRAWN,
                            "withdrawn by the applicant", event.actor)


def install() -> None:
    """Register admin's reactions (the composition roots call this; twice is harmless)."""
    person_erased.connect(redact_case_texts)
    withdrawal_requested.connect(withdraw_case)
