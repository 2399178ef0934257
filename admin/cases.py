"""Case work on a proposal: status changes through the state machine (admin/workflow.py),
reopening, assignment, the contact log (聞き取り) and internal notes. Each step is an audit
event; a refused one raises DomainError with a message key (admin/messages.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from admin.calendar import JST
from admin.events import CaseClosed, case_closed
from admin.models import CaseNote, ContactEntry, ProposalTransition
from admin.workflow import CLOSED, check_transition
from core.audit import SYSTEM, Actor, AuditLog
from core.db import utcnow
from core.errors import DomainError
from core.hooks import Unit
from intake.models import Proposal, ProposalStatus

CHANNELS = ("phone", "email", "meeting", "other")
OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number", "follow_up", "closed")
TEXT_MAX = 2000


def _open(proposal: Proposal) -> None:
    """Closed cases are read-only (DESIGN.md §5.6): only an admin's reopen changes them."""
    if proposal.status in CLOSED:
        raise DomainError("closed")


def _transition(db: AsyncSession, proposal: Proposal, target: ProposalStatus, reason: str,
                actor: Actor, now: datetime) -> None:
    db.add(ProposalTransition(proposal_id=proposal.id or 0, staff_id=actor.staff_id,
                              from_status=proposal.status, to_status=target,
                              reason=reason.strip()[:500], at=now))


async def change_status(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, target: str, reason: str,
    actor: Actor = SYSTEM,
) -> None:
    """Move a proposal through the state machine. Closing it is told to the packages above
    (admin.events.case_closed) in this transaction: if a reaction fails, nothing changed."""
    problem = check_transition(proposal.status, target, reason)
    if problem:
        raise DomainError(problem, "to")
    status, now = ProposalStatus(target), utcnow()
    _transition(db, proposal, status, reason, actor, now)
    await audit.record(db, "proposal.status_changed", actor, object_type="proposal",
                       object_id=proposal.id or "", detail=f"{proposal.status} -> {status}")
    proposal.status = status
    if status in CLOSED:
        proposal.closed_at = now  # retention counts from here (core/retention.py)
    db.add(proposal)
    if status in CLOSED:
        await case_closed.emit(Unit(db, audit), CaseClosed(proposal, status))


async def reopen(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, reason: str, actor: Actor,
) -> None:
    """Closed cases are read-only; an admin may reopen one, with a reason, on the record."""
    if proposal.status not in CLOSED:
        raise DomainError("transition_invalid")
    if not reason.strip():
        raise DomainError("reason_required_reopen", "reason")
    _transition(db, proposal, ProposalStatus.IN_CONTACT, reason, actor, utcnow())
    await audit.record(db, "proposal.reopened", actor, object_type="proposal",
                       object_id=proposal.id or "",
                       detail=f"{proposal.status} -> {ProposalStatus.IN_CONTACT}")
    proposal.status, proposal.closed_at = ProposalStatus.IN_CONTACT, None
    db.add(proposal)


async def assign(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, assignee_id: int | None,
    actor: Actor,
) -> None:
    _open(proposal)
    proposal.assignee_id = assignee_id
    db.add(proposal)
    await audit.record(db, "proposal.assigned", actor, object_type="proposal",
                       object_id=proposal.id or "", detail=f"assignee={assignee_id or 'none'}")


@dataclass
class ContactInput:
    channel: str
    outcome: str
    summary: str
    next_action_on: date | None
    at: datetime | None = None  # when the contact took place; None: now


def _local_time(value: str) -> datetime:
    """A datetime-local field: the wall-clock time in Japan, where the staff work."""
    try:
        local = datetime.fromisoformat(value)
        if local.tzinfo is None:
            return local.replace(tzinfo=JST).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise DomainError("contact_time_invalid", "contacted_at") from exc
    raise DomainError("contact_time_invalid", "contacted_at")


def parse_contact(form: dict[str, str]) -> ContactInput:
    channel, outcome = form.get("channel", ""), form.get("outcome", "")
    summary = form.get("summary", "").replace("\r\n", "\n").strip()
    if channel not in CHANNELS or outcome not in OUTCOMES:
        raise DomainError("contact_invalid", "channel")
    if len(summary) > TEXT_MAX:
        raise DomainError("summary_too_long", "summary")
    next_on = None
    if form.get("next_action_on"):
        try:
            next_on = date.fromisoformat(form["next_action_on"])
        except ValueError as exc:
            raise DomainError("date_invalid", "next_action_on") from exc
    at = _local_time(form["contacted_at"]) if form.get("contacted_at") else None
    return ContactInput(channel, outcome, summary, next_on, at)


async def add_contact(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, entry: ContactInput, actor: Actor,
) -> None:
    """Log a contact; the first one moves a `new` case to `in_contact`."""
    _open(proposal)
    now = utcnow()
    at = entry.at or now
    # Not in the future (a few minutes of clock difference aside), not before the proposal.
    if at > now + timedelta(minutes=5) or at < proposal.created_at - timedelta(minutes=5):
        raise DomainError("contact_time_invalid", "contacted_at")
    db.add(ContactEntry(proposal_id=proposal.id or 0, staff_id=actor.staff_id or 0,
                        channel=entry.channel, at=at, outcome=entry.outcome,
                        summary=entry.summary, next_action_on=entry.next_action_on))
    await audit.record(db, "contact.logged", actor, object_type="proposal",
                       object_id=proposal.id or "",
                       detail=f"channel={entry.channel} outcome={entry.outcome}")
    if proposal.first_contact_at is None:
        proposal.first_contact_at = at
        db.add(proposal)
    if proposal.status == ProposalStatus.NEW:
        await change_status(db, audit, proposal, ProposalStatus.IN_CONTACT,
                            "first contact logged", actor)


async def add_note(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, text: str, actor: Actor,
) -> None:
    text = text.replace("\r\n", "\n").strip()
    _open(proposal)
    if not text:
        raise DomainError("note_empty", "text")
    if len(text) > TEXT_MAX:
        raise DomainError("summary_too_long", "text")
    db.add(CaseNote(proposal_id=proposal.id or 0, staff_id=actor.staff_id or 0, at=utcnow(),
                    text=text))
    # The note's text stays out of the audit log: staff may write names in it.
    await audit.record(db, "note.added", actor, object_type="proposal",
                       object_id=proposal.id or "")
