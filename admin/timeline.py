"""What happened to a record, newest first, for the staff pages: a case's contacts, notes and
status changes from their own rows, and every other step from the audit chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import CaseNote, ContactEntry, ProposalTransition, StaffUser
from admin.workflow import CLOSED
from core.models import AuditEvent
from intake.models import Proposal

# Audit actions whose own rows (with the text the audit detail leaves out) are in the timeline.
SHOWN_FROM_RECORDS = ("contact.logged", "note.added", "proposal.status_changed",
                      "proposal.reopened")


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    text: str
    who: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Names:
    """Staff names as the timeline shows them, inactive staff included (people leave)."""

    def __init__(self, staff: list[StaffUser]) -> None:
        self._by_id = {u.id: f"{u.display_name} ({u.organisation})" for u in staff}

    def of(self, staff_id: int | None) -> str:
        return self._by_id.get(staff_id, "") if staff_id else ""

    def of_actor(self, actor: str) -> str:
        """`staff:12` as that member's name; anyone else (`system`, `applicant`) as written."""
        kind, _, number = actor.partition(":")
        return self.of(int(number)) if kind == "staff" and number.isdigit() else actor


async def _events(db: AsyncSession, object_type: str, object_id: int | None,
                  names: Names) -> list[TimelineItem]:
    events = await db.exec(select(AuditEvent).where(
        col(AuditEvent.object_type) == object_type,
        col(AuditEvent.object_id) == str(object_id)).order_by(col(AuditEvent.id).desc()))
    return [TimelineItem(e.at, "event", e.action, names.of_actor(e.actor), {"detail": e.detail})
            for e in events.all() if object_type != "proposal" or
            e.action not in SHOWN_FROM_RECORDS]


async def history(db: AsyncSession, object_type: str, object_id: int | None,
                  staff: list[StaffUser]) -> list[TimelineItem]:
    """The audit events of one record (a collaborator, say), newest first, with staff names."""
    return await _events(db, object_type, object_id, Names(staff))


async def timeline(
    db: AsyncSession, proposal: Proposal, staff_list: list[StaffUser]
) -> list[TimelineItem]:
    """Everything that happened to a proposal, newest first."""
    names = Names(staff_list)
    items: list[TimelineItem] = []
    contacts = await db.exec(select(ContactEntry).where(
        col(ContactEntry.proposal_id) == proposal.id))
    for c in contacts.all():
        items.append(TimelineItem(c.at, "contact", c.summary, names.of(c.staff_id),
                                  {"channel": c.channel, "outcome": c.outcome,
                                   "next": c.next_action_on}))
    notes = await db.exec(select(CaseNote).where(col(CaseNote.proposal_id) == proposal.id))
    items += [TimelineItem(n.at, "note", n.text, names.of(n.staff_id)) for n in notes.all()]
    transitions = await db.exec(select(ProposalTransition).where(
        col(ProposalTransition.proposal_id) == proposal.id))
    for t in transitions.all():
        who = names.of(t.staff_id) if t.staff_id else "system"
        items.append(TimelineItem(t.at, "status", t.reason, who,
                                  {"from": t.from_status, "to": t.to_status,
                                   "reopened": t.from_status in CLOSED}))
    items += await _events(db, "proposal", proposal.id, names)
    return sorted(items, key=lambda item: item.at, reverse=True)
