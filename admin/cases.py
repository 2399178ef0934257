"""Case work on proposals: lists, masking, audited reveals, status changes, contact log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import search
from admin.calendar import JST, working_days_before
from admin.models import CaseNote, ContactEntry, ProposalTransition, StaffUser
from admin.permissions import Permission, allowed
from admin.services import actor_of
from admin.workflow import CLOSED, check_transition
from core.audit import AuditEvent, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from intake.models import Proposal
from matching.models import Collaborator
from publishing.personal_data import proposal_values, redact

CONTACT_FIELDS = ("nickname", "email", "phone", "website_url", "facebook_url", "twitter")
REVEAL_REASONS = ("contact_applicant", "verify_identity", "arrange_introduction", "other")
CHANNELS = ("phone", "email", "meeting", "other")
OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number", "follow_up", "closed")
PAGE_SIZE = 50
SEARCH_WINDOW = 100_000


def mask_email(value: str) -> str:
    """`taro@example.jp` → `t***@e***.jp`."""
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_phone(value: str) -> str:
    """`0783225211` → `***-****-5211`."""
    return f"***-****-{value[-4:]}"


def mask_other(value: str) -> str:
    return value[:1] + "***" if value else ""


def masked(
    cipher: FieldCipher, record: Proposal | Collaborator,
    fields: tuple[str, ...] = CONTACT_FIELDS,
) -> dict[str, str]:
    """Every contact field (`<name>_enc`) as staff may see it without a reveal."""
    out: dict[str, str] = {}
    for name in fields:
        token = getattr(record, f"{name}_enc")
        if not token:
            out[name] = ""
            continue
        value = cipher.decrypt(token)
        if name == "email":
            out[name] = mask_email(value)
        elif name == "phone":
            out[name] = mask_phone(value)
        else:
            out[name] = mask_other(value)
    return out


def screened(
    text: str, staff: StaffUser | None, record: Proposal | None = None, *,
    cipher: FieldCipher | None = None,
) -> str:
    """Free text from an applicant as this staff member may read it: roles that never see
    contact data (editors, auditors) get email addresses, phone numbers and social-network
    accounts written into it replaced, and, given the proposal (and the cipher, bound when
    the filter is registered), its applicant's own name and contact values too. A Jinja
    filter: `{{ p.catchphrase | screened(staff, p) }}`."""
    if staff is not None and allowed(staff.role, Permission.CONTACT_REVEAL):
        return text
    known = proposal_values(cipher, record, "applicant") if record and cipher else []
    return redact(text, known)


def _generic_screen(text: str) -> str:
    return screened(text, None)


def screened_proposal(cipher: FieldCipher, proposal: Proposal, staff: StaffUser) -> dict[str, str]:
    """Catchphrase and body for the case page, as `screened` leaves them for this staff
    member."""
    return {name: screened(value, staff, proposal, cipher=cipher)
            for name, value in (("catchphrase", proposal.catchphrase), ("body", proposal.body))}


def business_days_before(moment: datetime, days: int) -> datetime:
    """`days` working days before `moment`: weekdays in Japan time that are not national
    holidays nor the year-end closure (admin/calendar.py)."""
    return working_days_before(moment, days)


def overdue_cutoff(sla_days: int, now: datetime | None = None) -> datetime:
    """Proposals verified before this are overdue while still `new`: the first contact is
    due within `sla_days` business days (OUEN_SLA_BUSINESS_DAYS)."""
    return business_days_before(now or utcnow(), sla_days)


@dataclass
class Filters:
    status: str = ""
    category: str = ""
    ward: str = ""
    assignee: str = ""  # "", "me", "none" or a staff id
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    q: str = ""
    after: int | None = None  # keyset: the last id of the previous page
    sort: str = "newest"  # or "oldest"
    extra: dict[str, Any] = field(default_factory=dict)


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern with `escape="\\"`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Page:
    rows: list[Proposal]
    next_after: int | None
    # A one-character term cannot use the n-gram index (admin/search.py): it reads at most
    # SEARCH_WINDOW ids per page; when that window ran out before the page filled, the page
    # is partial and `next_after` continues the search.
    partial: bool = False


async def _search_window(db: AsyncSession, filters: Filters, oldest: bool) -> tuple[int, int]:
    """The id range one search page may read: SEARCH_WINDOW ids from where it resumes."""
    if filters.after:
        start = filters.after + 1 if oldest else filters.after - 1
    else:
        edge = func.min(Proposal.id) if oldest else func.max(Proposal.id)
        start = int((await db.exec(select(edge))).one() or 0)
    if oldest:
        return start, start + SEARCH_WINDOW - 1
    return max(1, start - SEARCH_WINDOW + 1), start


def _conditions(filters: Filters, staff: StaffUser, sla_days: int) -> list[ColumnElement[bool]]:
    """The list's filters, search term aside."""
    where: list[ColumnElement[bool]] = [col(Proposal.status) != "unverified"]
    if filters.status:
        where.append(col(Proposal.status) == filters.status)
    if filters.category:
        where.append(col(Proposal.category) == filters.category)
    if filters.ward:
        where.append(col(Proposal.ward) == filters.ward)
    if filters.assignee == "me":
        where.append(col(Proposal.assignee_id) == staff.id)
    elif filters.assignee == "none":
        where.append(col(Proposal.assignee_id).is_(None))
    elif filters.assignee.isdigit():
        where.append(col(Proposal.assignee_id) == int(filters.assignee))
    if filters.overdue:
        where += [col(Proposal.status) == "new",
                  col(Proposal.verified_at) < overdue_cutoff(sla_days)]
    if filters.since:
        where.append(col(Proposal.created_at) >= datetime.combine(
            filters.since, datetime.min.time()).replace(tzinfo=utcnow().tzinfo))
    if filters.until and filters.until < date.max:
        where.append(col(Proposal.created_at) < datetime.combine(
            filters.until + timedelta(days=1), datetime.min.time()).replace(tzinfo=utcnow().tzinfo))
    return where


async def list_proposals(
    db: AsyncSession, filters: Filters, staff: StaffUser, limit: int = PAGE_SIZE,
    sla_days: int = 3,
) -> Page:
    """A page of verified proposals (newest or oldest first) and the keyset for the next."""
    where = _conditions(filters, staff, sla_days)
    oldest = filters.sort == "oldest"
    order = col(Proposal.id).asc() if oldest else col(Proposal.id).desc()
    needle = search.normalise(filters.q)
    if search.query_keys(needle):
        # Two characters or more: the n-gram index gives complete pages (admin/search.py).
        # Roles without contact data search the text as they may read it: a term found only
        # in an email address or phone number would tell them it is there.
        screen = None if allowed(staff.role, Permission.CONTACT_REVEAL) else _generic_screen
        ids, next_after = await search.find(db, where, needle, after=filters.after,
                                            oldest=oldest, limit=limit, screen=screen)
        rows = (await db.exec(select(Proposal).where(col(Proposal.id).in_(ids))
                              .order_by(order))).all() if ids else []
        return Page(list(rows), next_after)
    query = select(Proposal).where(*where)
    if needle.strip():
        # One character: a substring match over a bounded window of ids (bounded latency).
        pattern = f"%{escape_like(needle)}%"
        query = query.where(or_(func.lower(Proposal.catchphrase).like(pattern, escape="\\"),
                                func.lower(Proposal.body).like(pattern, escape="\\")))
    if filters.after:
        query = query.where(col(Proposal.id) > filters.after if oldest
                            else col(Proposal.id) < filters.after)
    window: tuple[int, int] | None = None
    if needle.strip():
        window = await _search_window(db, filters, oldest)
        query = query.where(col(Proposal.id).between(*window))
    rows = list((await db.exec(query.order_by(order).limit(limit + 1))).all())
    if len(rows) > limit:
        return Page(rows[:limit], rows[limit - 1].id)
    if window is not None:
        lo, hi = window
        more = await _beyond(db, hi if oldest else lo, oldest)
        if more:
            return Page(rows, hi if oldest else lo, partial=True)
    return Page(rows, None)


async def _beyond(db: AsyncSession, edge: int, oldest: bool) -> bool:
    """Whether any proposal lies past `edge` in the direction of the search."""
    beyond = col(Proposal.id) > edge if oldest else col(Proposal.id) < edge
    return (await db.exec(select(Proposal.id).where(beyond).limit(1))).first() is not None


def is_overdue(proposal: Proposal, sla_days: int, now: datetime | None = None) -> bool:
    return (proposal.status == "new" and proposal.verified_at is not None
            and proposal.verified_at < overdue_cutoff(sla_days, now))


async def reveal(
    db: AsyncSession, cipher: FieldCipher, audit: AuditLog, record: Proposal | Collaborator,
    field_name: str, reason: str, staff: StaffUser, ip: str, *, object_type: str = "proposal",
    fields: tuple[str, ...] = CONTACT_FIELDS, reasons: tuple[str, ...] = REVEAL_REASONS,
) -> str | None:
    """One contact value in clear, for a stated reason; always an audit event."""
    if field_name not in fields or reason not in reasons:
        return None
    token = getattr(record, f"{field_name}_enc")
    if not token:
        return None
    await audit.record(db, "contact.revealed", actor=actor_of(staff),
                       organisation=staff.organisation, object_type=object_type,
                       object_id=record.id or "", detail=f"field={field_name} reason={reason}",
                       ip=ip)
    return cipher.decrypt(token)


async def change_status(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, target: str, reason: str,
    staff: StaffUser | None, ip: str = "",
) -> str | None:
    """Move a proposal through the state machine; a message key when refused."""
    problem = check_transition(proposal.status, target, reason)
    if problem:
        return problem
    now = utcnow()
    db.add(ProposalTransition(proposal_id=proposal.id or 0, staff_id=staff.id if staff else None,
                              from_status=proposal.status, to_status=target,
                              reason=reason.strip()[:500], at=now))
    await audit.record(db, "proposal.status_changed",
                       actor=actor_of(staff) if staff else "system",
                       organisation=staff.organisation if staff else "",
                       object_type="proposal", object_id=proposal.id or "",
                       detail=f"{proposal.status} -> {target}", ip=ip)
    proposal.status = target
    db.add(proposal)
    if target in CLOSED:
        from matching.introductions import close_open_matches
        from publishing.services import unpublish_for_closed_case

        await close_open_matches(db, audit, proposal_id=proposal.id,
                                 reason=f"reason=case {target}")
        if target in ("withdrawn", "spam"):
            await unpublish_for_closed_case(db, audit, proposal)
    return None


async def reopen(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, reason: str, staff: StaffUser,
    ip: str,
) -> str | None:
    """Closed cases are read-only; an admin may reopen one, with a reason, on the record."""
    if proposal.status not in CLOSED:
        return "transition_invalid"
    if not reason.strip():
        return "reason_required_reopen"
    db.add(ProposalTransition(proposal_id=proposal.id or 0, staff_id=staff.id,
                              from_status=proposal.status, to_status="in_contact",
                              reason=reason.strip()[:500], at=utcnow()))
    await audit.record(db, "proposal.reopened", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="proposal",
                       object_id=proposal.id or "", detail=f"{proposal.status} -> in_contact",
                       ip=ip)
    proposal.status = "in_contact"
    db.add(proposal)
    return None


async def assign(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, assignee: StaffUser | None,
    staff: StaffUser, ip: str,
) -> str | None:
    if proposal.status in CLOSED:
        return "closed"
    proposal.assignee_id = assignee.id if assignee else None
    db.add(proposal)
    await audit.record(db, "proposal.assigned", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="proposal",
                       object_id=proposal.id or "",
                       detail=f"assignee={assignee.id if assignee else 'none'}", ip=ip)
    return None


@dataclass
class ContactInput:
    channel: str
    outcome: str
    summary: str
    next_action_on: date | None
    at: datetime | None = None  # when the contact took place; None: now


def parse_contact(form: dict[str, str]) -> tuple[ContactInput | None, str | None]:
    channel, outcome = form.get("channel", ""), form.get("outcome", "")
    summary = form.get("summary", "").replace("\r\n", "\n").strip()
    if channel not in CHANNELS or outcome not in OUTCOMES:
        return None, "contact_invalid"
    if len(summary) > 2000:
        return None, "summary_too_long"
    next_on = None
    if form.get("next_action_on"):
        try:
            next_on = date.fromisoformat(form["next_action_on"])
        except ValueError:
            return None, "date_invalid"
    at = None
    if form.get("contacted_at"):
        # A datetime-local field: the wall-clock time in Japan, where the staff work.
        try:
            local = datetime.fromisoformat(form["contacted_at"])
            if local.tzinfo is not None:
                return None, "contact_time_invalid"
            at = local.replace(tzinfo=JST).astimezone(UTC)
        except (ValueError, OverflowError):
            return None, "contact_time_invalid"
    return ContactInput(channel, outcome, summary, next_on, at), None


async def add_contact(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, entry: ContactInput,
    staff: StaffUser, ip: str,
) -> str | None:
    """Log a contact; the first one moves a `new` case to `in_contact`."""
    if proposal.status in CLOSED:
        return "closed"
    now = utcnow()
    at = entry.at or now
    # Not in the future (a few minutes of clock difference aside), not before the proposal.
    if at > now + timedelta(minutes=5) or at < proposal.created_at - timedelta(minutes=5):
        return "contact_time_invalid"
    assert staff.id is not None
    db.add(ContactEntry(proposal_id=proposal.id or 0, staff_id=staff.id, channel=entry.channel,
                        at=at, outcome=entry.outcome, summary=entry.summary,
                        next_action_on=entry.next_action_on))
    await audit.record(db, "contact.logged", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="proposal",
                       object_id=proposal.id or "",
                       detail=f"channel={entry.channel} outcome={entry.outcome}", ip=ip)
    if proposal.first_contact_at is None:
        proposal.first_contact_at = at
        db.add(proposal)
    if proposal.status == "new":
        await change_status(db, audit, proposal, "in_contact", "first contact logged", staff, ip)
    return None


async def add_note(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, text: str, staff: StaffUser,
    ip: str,
) -> str | None:
    text = text.replace("\r\n", "\n").strip()
    if proposal.status in CLOSED:
        return "closed"
    if not text:
        return "note_empty"
    if len(text) > 2000:
        return "summary_too_long"
    assert staff.id is not None
    db.add(CaseNote(proposal_id=proposal.id or 0, staff_id=staff.id, at=utcnow(), text=text))
    # The note's text stays out of the audit log: staff may write names in it.
    await audit.record(db, "note.added", actor=actor_of(staff), organisation=staff.organisation,
                       object_type="proposal", object_id=proposal.id or "", ip=ip)
    return None


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


async def timeline(
    db: AsyncSession, proposal: Proposal, staff_list: list[StaffUser]
) -> list[TimelineItem]:
    """Everything that happened to a proposal, newest first."""
    staff = {u.id: u for u in staff_list}

    def name(staff_id: int | None) -> str:
        user = staff.get(staff_id)
        return f"{user.display_name} ({user.organisation})" if user else ""

    items: list[TimelineItem] = []
    contacts = await db.exec(select(ContactEntry).where(
        col(ContactEntry.proposal_id) == proposal.id))
    for c in contacts.all():
        items.append(TimelineItem(c.at, "contact", c.summary, name(c.staff_id),
                                  {"channel": c.channel, "outcome": c.outcome,
                                   "next": c.next_action_on}))
    notes = await db.exec(select(CaseNote).where(col(CaseNote.proposal_id) == proposal.id))
    for n in notes.all():
        items.append(TimelineItem(n.at, "note", n.text, name(n.staff_id)))
    transitions = await db.exec(select(ProposalTransition).where(
        col(ProposalTransition.proposal_id) == proposal.id))
    for t in transitions.all():
        items.append(TimelineItem(t.at, "status", t.reason,
                                  name(t.staff_id) if t.staff_id else "system",
                                  {"from": t.from_status, "to": t.to_status,
                                   "reopened": t.from_status in CLOSED}))
    events = await db.exec(select(AuditEvent).where(
        col(AuditEvent.object_type) == "proposal",
        col(AuditEvent.object_id) == str(proposal.id)))
    for e in events.all():
        if e.action in SHOWN_FROM_RECORDS:
            continue  # shown above from their own rows, with their text
        who = name(int(e.actor.split(":")[1])) if e.actor.startswith("staff:") else e.actor
        items.append(TimelineItem(e.at, "event", e.action, who, {"detail": e.detail}))
    return sorted(items, key=lambda item: item.at, reverse=True)
