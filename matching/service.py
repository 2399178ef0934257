"""The engine's index kept in step with the database, on every instance.

Each process holds its own in-memory index and, whenever suggestions are asked for and the
last look is more than `FRESHNESS` seconds old, reads the collaborators changed since
(their `updated_at`) — so a registration, an edit, a pause or a finished introduction shows
in suggestions within seconds on every instance, and nothing lives only in one process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.workflow import CLOSED, OPEN
from intake.models import Collaborator, CollaboratorStatus, Proposal
from matching.engine import CollaboratorDoc, Index, ProposalDoc, Suggestion
from matching.introductions import matched_collaborators
from matching.models import Call, CallStatus, Match, MatchStatus
from matching.peers import ProposalIndex, proposal_as_helper

FRESHNESS = 2.0  # seconds
LOOKBACK = timedelta(seconds=30)
BATCH = 5000


def proposal_doc(proposal: Proposal) -> ProposalDoc:
    return ProposalDoc(
        id=str(proposal.id),
        category=proposal.category,
        ward=proposal.ward,
        catchphrase=proposal.catchphrase,
        body=proposal.body,
        org_name=proposal.org_name or "",
    )


def collaborator_doc(collaborator: Collaborator, load: int) -> CollaboratorDoc:
    return CollaboratorDoc(
        id=str(collaborator.id),
        categories=tuple(collaborator.categories),
        wards=tuple(collaborator.wards),
        offers=tuple(collaborator.offers),
        availability=collaborator.availability,
        capacity=collaborator.capacity,
        active_projects=load,
        intro=collaborator.intro,
        org_type=collaborator.org_type,
        org_name=collaborator.org_name or "",
    )


async def loads(db: AsyncSession, ids: Iterable[int]) -> dict[int, int]:
    """Current projects per collaborator: introductions on proposals still open."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await db.exec(
        select(Match.collaborator_id, func.count())
        .join(Proposal, col(Proposal.id) == col(Match.proposal_id))
        .where(
            col(Match.collaborator_id).in_(wanted),
            col(Match.status) == MatchStatus.INTRODUCED,
            col(Proposal.status).not_in(CLOSED),
        )
        .group_by(col(Match.collaborator_id))
    )
    return {cid: int(n) for cid, n in rows.all()}


class MatchingIndex:
    """One per process (app.state.matching)."""

    def __init__(self) -> None:
        self.index = Index()
        self.watermark: datetime | None = None
        self.checked = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self, db: AsyncSession, force: bool = False) -> Index:
        if not force and time.monotonic() - self.checked < FRESHNESS:
            return self.index
        async with self._lock:
            if not force and time.monotonic() - self.checked < FRESHNESS:
                return self.index
            started = time.monotonic()
            last_id = 0
            newest = self.watermark
            while True:
                query = select(Collaborator).where(col(Collaborator.id) > last_id)
                if self.watermark is not None:
                    # Look back a little: a transaction that committed late may carry an
                    # earlier time than the newest row seen. Re-adding a row is harmless.
                    since = self.watermark - LOOKBACK
                    query = query.where(col(Collaborator.updated_at) >= since)
                rows = list(
                    (await db.exec(query.order_by(col(Collaborator.id)).limit(BATCH))).all()
                )
                if not rows:
                    break
                counts = await loads(db, [r.id or 0 for r in rows])
                for row in rows:
                    if row.status == CollaboratorStatus.ACTIVE:
                        self.index.add(collaborator_doc(row, counts.get(row.id or 0, 0)))
                    else:
                        self.index.remove(str(row.id))
                    if newest is None or row.updated_at > newest:
                        newest = row.updated_at
                last_id = rows[-1].id or 0
            self.watermark = newest
            self.checked = started
        return self.index

    async def suggest(
        self, db: AsyncSession, proposal: Proposal, limit: int = 10
    ) -> list[Suggestion]:
        """The best collaborators not yet matched with this proposal in any way."""
        index = await self.refresh(db)
        exclude = {str(cid) for cid in await matched_collaborators(db, proposal.id or 0)}
        return index.rank(proposal_doc(proposal), limit=limit, exclude=exclude)


class OpenProposals:
    """Open, verified proposals kept in two in-memory indexes, in step with the database:
    as needs (to rank them, with open calls for help, for a collaborator) and as offers of
    help (applicants are often each other's collaborators). A proposal's text does not
    change after submission, so each is read once; only which proposals are open is
    checked, every few seconds."""

    def __init__(self) -> None:
        self.needs = ProposalIndex()
        self.helpers = Index()
        self._open: set[int] = set()
        self._calls: set[int] = set()
        self.checked = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self, db: AsyncSession) -> None:
        if time.monotonic() - self.checked < FRESHNESS:
            return
        async with self._lock:
            if time.monotonic() - self.checked < FRESHNESS:
                return
            started = time.monotonic()
            rows = await db.exec(
                select(Proposal.id).where(
                    col(Proposal.status).in_(OPEN), col(Proposal.verified_at).is_not(None)
                )
            )
            now_open = {int(pid) for pid in rows.all() if pid is not None}
            for pid in self._open - now_open:
                self.needs.remove(str(pid))
                self.helpers.remove(str(pid))
            new = sorted(now_open - self._open)
            for start in range(0, len(new), BATCH):
                batch = await db.exec(
                    select(Proposal).where(col(Proposal.id).in_(new[start : start + BATCH]))
                )
                for proposal in batch.all():
                    doc = proposal_doc(proposal)
                    self.needs.add(doc)
                    self.helpers.add(proposal_as_helper(doc))
            self._open = now_open
            calls = await db.exec(select(Call).where(col(Call.status) == CallStatus.OPEN))
            open_calls = {call.id or 0: call for call in calls.all()}
            for cid in self._calls - open_calls.keys():
                self.needs.remove(f"call:{cid}")
            for cid in open_calls.keys() - self._calls:
                call = open_calls[cid]
                self.needs.add(ProposalDoc(id=f"call:{cid}", category=call.category,
                                           ward=call.ward, catchphrase=call.title,
                                           body=call.needed))
            self._calls = set(open_calls)
            self.checked = started

    async def helpers_for(
        self, db: AsyncSession, proposal: Proposal, limit: int = 5
    ) -> list[Suggestion]:
        """Other open proposals whose authors could help with this one."""
        await self.refresh(db)
        return self.helpers.rank(proposal_doc(proposal), limit=limit, exclude={str(proposal.id)})

    async def for_collaborator(
        self, db: AsyncSession, collaborator: Collaborator, limit: int = 10
    ) -> list[Suggestion]:
        """Open proposals ("12") and calls ("call:3") this collaborator fits best (ids in
        `collaborator_id`), leaving out proposals they already have an introduction for."""
        await self.refresh(db)
        counts = await loads(db, [collaborator.id or 0])
        done = await db.exec(
            select(Match.proposal_id).where(col(Match.collaborator_id) == collaborator.id)
        )
        return self.needs.rank(
            collaborator_doc(collaborator, counts.get(collaborator.id or 0, 0)),
            limit=limit,
            exclude={str(pid) for pid in done.all()},
        )
