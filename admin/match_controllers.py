"""Matching on a proposal: suggested collaborators with their reasons, proposing one
(which starts the consent-on-both-sides introduction), and withdrawing an open request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import current_staff, staff_guard
from admin.case_controllers import _proposal
from admin.permissions import Permission
from core import i18n
from core.web import AnyRequest, client_ip, form_fields, language_of, parse_id, render, settings_of
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Proposal
from matching import introductions as intro
from matching.controllers import mailer_of
from matching.messages import (
    AVAILABILITY_LABELS,
    DECLINED_BY_LABELS,
    MATCH_STATUS_LABELS,
    MESSAGES,
    in_words,
)
from matching.models import Collaborator
from matching.projects import project_of
from matching.service import MatchingIndex, OpenProposals, loads

DB = NamedDependency[AsyncSession]
MANAGE = {"permission": Permission.COLLABORATOR_MANAGE}
SUGGESTIONS = 10
PEERS = 5


def _index(request: AnyRequest) -> MatchingIndex:
    index: MatchingIndex = request.app.state.matching
    return index


async def _page(
    request: AnyRequest,
    db: AsyncSession,
    proposal: Proposal,
    status: int = 200,
    error: str | None = None,
    chosen: int | None = None,
) -> Template:
    lang = language_of(request)
    _ = i18n.make_gettext(lang)
    suggestions = await _index(request).suggest(db, proposal, SUGGESTIONS)
    ids = [int(s.collaborator_id) for s in suggestions]
    rows = (await db.exec(select(Collaborator).where(col(Collaborator.id).in_(ids)))).all()
    by_id = {c.id: c for c in rows}
    current = await loads(db, ids)
    shown: list[dict[str, Any]] = []
    for s in suggestions:
        collaborator = by_id.get(int(s.collaborator_id))
        if collaborator is None:
            continue
        shown.append(
            {
                "c": collaborator,
                "score": s.score,
                "reasons": [(in_words(r, _, lang), r.warning) for r in s.reasons],
                "load": current.get(collaborator.id or 0, 0),
                "full": current.get(collaborator.id or 0, 0) >= collaborator.capacity,
            }
        )
    open_proposals: OpenProposals = request.app.state.open_proposals
    peers = await open_proposals.helpers_for(db, proposal, PEERS)
    peer_rows = (
        await db.exec(
            select(Proposal).where(col(Proposal.id).in_([int(s.collaborator_id) for s in peers]))
        )
    ).all()
    peer_by_id = {str(p.id): p for p in peer_rows}
    shown_peers = [
        {"p": peer_by_id[s.collaborator_id],
         "reasons": [(in_words(r, _, lang), r.warning) for r in s.reasons if r.code != "load"]}
        for s in peers
        if s.collaborator_id in peer_by_id
    ]
    return render(
        request,
        "admin/proposals/matching.html",
        peers=shown_peers,
        project=await project_of(db, proposal.id or 0),
        status=status,
        staff=current_staff(request),
        p=proposal,
        suggestions=shown,
        matches=await intro.matches_of(db, proposal.id or 0),
        error=_(MESSAGES[error]) if error else None,
        chosen=chosen,
        categories=CATEGORY_LABELS,
        wards=WARD_LABELS,
        availability_labels=AVAILABILITY_LABELS,
        match_status_labels=MATCH_STATUS_LABELS,
        declined_by_labels=DECLINED_BY_LABELS,
        open_states=intro.OPEN_STATES,
    )


class MatchController(Controller):
    path = "/admin/proposals/{proposal_id:int}/matching"
    guards = [staff_guard]  # noqa: RUF012

    @get("/", name="admin.matching.show", opt=MANAGE)
    async def show(
        self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB
    ) -> Template:
        return await _page(request, db_session, await _proposal(db_session, proposal_id))

    @post("/propose", name="admin.matching.propose", opt=MANAGE)
    async def propose(
        self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB
    ) -> Template | Redirect:
        proposal = await _proposal(db_session, proposal_id)
        form = await form_fields(request)
        collaborator_id = parse_id(form.get("collaborator", ""))
        collaborator = (
            await db_session.get(Collaborator, collaborator_id) if collaborator_id else None
        )
        if collaborator is None:
            return await _page(request, db_session, proposal, 400, "collaborator_invalid")
        try:
            await intro.propose(
                db_session,
                request.app.state.audit,
                mailer_of(request),
                proposal,
                collaborator,
                current_staff(request),
                score=_score(form.get("score", "")),
                confirm_over_capacity=form.get("confirm_over_capacity") == "yes",
                ip=client_ip(request, settings_of(request).trusted_proxies),
            )
        except intro.MatchError as exc:
            return await _page(
                request, db_session, proposal, 400, exc.code, chosen=collaborator.id
            )
        return Redirect(path=f"/admin/proposals/{proposal.id}/matching", status_code=303)

    @post("/{match_id:int}/withdraw", name="admin.matching.withdraw", opt=MANAGE)
    async def withdraw(
        self,
        request: AnyRequest,
        proposal_id: FromPath[int],
        match_id: FromPath[int],
        db_session: DB,
    ) -> Template | Redirect:
        proposal = await _proposal(db_session, proposal_id)
        match = await db_session.get(intro.Match, match_id) if 1 <= match_id < 2**31 else None
        if match is None or match.proposal_id != proposal.id:
            raise NotFoundException()
        collaborator = await db_session.get(Collaborator, match.collaborator_id)
        assert collaborator is not None
        try:
            await intro.withdraw(
                db_session,
                request.app.state.audit,
                match,
                collaborator,
                current_staff(request),
                client_ip(request, settings_of(request).trusted_proxies),
            )
        except intro.MatchError as exc:
            return await _page(request, db_session, proposal, 400, exc.code)
        return Redirect(path=f"/admin/proposals/{proposal.id}/matching", status_code=303)


def _score(value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        return 0.0
    return score if 0 <= score < 100 else 0.0
