"""The proposal list: filters, keyset pages, search, and the first-contact SLA."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.calendar import working_days_before
from admin.contact import generic_screen, sees_contact_data
from core.audit import Actor
from core.db import utcnow
from intake import search
from intake.models import Proposal, ProposalStatus
from intake.search import escape_like

PAGE_SIZE = 50
SEARCH_WINDOW = 100_000


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


@dataclass
class Page:
    rows: list[Proposal]
    next_after: int | None
    # A one-character term cannot use the n-gram index (intake/search.py): it reads at most
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


def _conditions(filters: Filters, staff_id: int | None, sla_days: int
                ) -> list[ColumnElement[bool]]:
    """The list's filters, search term aside."""
    where: list[ColumnElement[bool]] = [col(Proposal.status) != ProposalStatus.UNVERIFIED]
    if filters.status:
        where.append(col(Proposal.status) == filters.status)
    if filters.category:
        where.append(col(Proposal.category) == filters.category)
    if filters.ward:
        where.append(col(Proposal.ward) == filters.ward)
    if filters.assignee == "me":
        where.append(col(Proposal.assignee_id) == staff_id)
    elif filters.assignee == "none":
        where.append(col(Proposal.assignee_id).is_(None))
    elif filters.assignee.isdigit():
        where.append(col(Proposal.assignee_id) == int(filters.assignee))
    if filters.overdue:
        where += [col(Proposal.status) == ProposalStatus.NEW,
                  col(Proposal.verified_at) < overdue_cutoff(sla_days)]
    if filters.since:
        where.append(col(Proposal.created_at) >= datetime.combine(
            filters.since, datetime.min.time()).replace(tzinfo=utcnow().tzinfo))
    if filters.until and filters.until < date.max:
        where.append(col(Proposal.created_at) < datetime.combine(
            filters.until + timedelta(days=1), datetime.min.time()).replace(tzinfo=utcnow().tzinfo))
    return where


async def list_proposals(
    db: AsyncSession, filters: Filters, reader: Actor, limit: int = PAGE_SIZE,
    sla_days: int = 3,
) -> Page:
    """A page of verified proposals (newest or oldest first) and the keyset for the next,
    as `reader` may search them."""
    where = _conditions(filters, reader.staff_id, sla_days)
    oldest = filters.sort == "oldest"
    order = col(Proposal.id).asc() if oldest else col(Proposal.id).desc()
    needle = search.normalise(filters.q)
    if search.query_keys(needle):
        # Two characters or more: the n-gram index gives complete pages (intake/search.py).
        # Roles without contact data search the text as they may read it: a term found only
        # in an email address or phone number would tell them it is there.
        screen = None if sees_contact_data(reader.role) else generic_screen
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
    if needle.strip() and not sees_contact_data(reader.role):
        # As with longer terms: only what the reader may read counts as a match. The scan
        # goes on from the last row looked at, so no match is skipped.
        kept = [p for p in rows[:limit] if search.contains(needle, p.catchphrase, p.body,
                                                           generic_screen)]
        if len(rows) > limit:
            return Page(kept, rows[limit - 1].id, partial=True)
        rows = kept
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
    return (proposal.status == ProposalStatus.NEW and proposal.verified_at is not None
            and proposal.verified_at < overdue_cutoff(sla_days, now))
