"""Matching on a proposal (/admin/proposals/{id}/matching): suggested collaborators with
their reasons, proposing one (which starts the consent-on-both-sides introduction), and
withdrawing an open request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import Staff, StaffActor, StaffController
from admin.case_controllers import proposal_or_404
from admin.models import StaffUser
from admin.permissions import Permission
from core import i18n
from core.audit import AuditLog
from core.context import DB, Audit, state_item
from core.errors import DomainError
from core.web import MAX_ID, AnyRequest, form_fields, language_of, parse_id, render
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Collaborator, Proposal
from matching import introductions as intro
from matching.controllers import Mail, provide_mailer
from matching.engine import Suggestion
from matching.messages import (
    ALL,
    AVAILABILITY_LABELS,
    DECLINED_BY_LABELS,
    MATCH_STATUS_LABELS,
    in_words,
)
from matching.models import OPEN_STATES, Match
from matching.projects import project_of
from matching.service import MatchingIndex, OpenProposals, loads

MANAGE = {"permission": Permission.COLLABORATOR_MANAGE}
SUGGESTIONS = 10
PEERS = 5


def _reasons(suggestion: Suggestion, lang: str, skip_load: bool = False
             ) -> list[tuple[str, bool]]:
    _ = i18n.make_gettext(lang)
    return [(in_words(r, _, lang), r.warning) for r in suggestion.reasons
            if not (skip_load and r.code == "load")]


@dataclass
class MatchingPage:
    request: AnyRequest
    db: AsyncSession
    audit: AuditLog
    staff: StaffUser
    index: MatchingIndex
    open_proposals: OpenProposals

    async def _suggestions(self, proposal: Proposal, lang: str) -> list[dict[str, Any]]:
        suggestions = await self.index.suggest(self.db, proposal, SUGGESTIONS)
        ids = [int(s.collaborator_id) for s in suggestions]
        rows = (await self.db.exec(select(Collaborator).where(col(Collaborator.id).in_(ids))))
        by_id = {c.id: c for c in rows.all()}
        current = await loads(self.db, ids)
        shown = []
        for s in suggestions:
            collaborator = by_id.get(int(s.collaborator_id))
            if collaborator is None:
                continue
            load = current.get(collaborator.id or 0, 0)
            shown.append({"c": collaborator, "score": s.score, "reasons": _reasons(s, lang),
                          "load": load, "full": load >= collaborator.capacity})
        return shown

    async def _peers(self, proposal: Proposal, lang: str) -> list[dict[str, Any]]:
        """Other open proposals whose authors say they have what this one asks for."""
        peers = await self.open_proposals.helpers_for(self.db, proposal, PEERS)
        ids = [int(s.collaborator_id) for s in peers]
        rows = await self.db.exec(select(Proposal).where(col(Proposal.id).in_(ids)))
        by_id = {str(p.id): p for p in rows.all()}
        return [{"p": by_id[s.collaborator_id], "reasons": _reasons(s, lang, skip_load=True)}
                for s in peers if s.collaborator_id in by_id]

    async def show(self, proposal: Proposal, status: int = 200, error: str | None = None,
                   chosen: int | None = None) -> Template:
        lang = language_of(self.request)
        _ = i18n.make_gettext(lang)
        return render(
            self.request, "admin/proposals/matching.html", status=status, staff=self.staff,
            p=proposal, suggestions=await self._suggestions(proposal, lang),
            peers=await self._peers(proposal, lang),
            project=await project_of(self.db, proposal.id or 0),
            matches=await intro.matches_of(self.db, proposal.id or 0),
            error=_(ALL[error]) if error else None, chosen=chosen,
            categories=CATEGORY_LABELS, wards=WARD_LABELS,
            availability_labels=AVAILABILITY_LABELS, match_status_labels=MATCH_STATUS_LABELS,
            declined_by_labels=DECLINED_BY_LABELS, open_states=OPEN_STATES,
        )


def provide_matching_page(request: AnyRequest, db_session: DB, audit: Audit, staff: Staff
                          ) -> MatchingPage:
    state = request.app.state
    return MatchingPage(request, db_session, audit, staff,
                        state_item(state, "matching", MatchingIndex),
                        state_item(state, "open_proposals", OpenProposals))


Page = NamedDependency[MatchingPage]


def _score(value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        return 0.0
    return score if 0 <= score < 100 else 0.0


class MatchController(StaffController):
    path = "/admin/proposals/{proposal_id:int}/matching"
    dependencies = {  # noqa: RUF012
        **StaffController.dependencies,
        "page": Provide(provide_matching_page, sync_to_thread=False),
        "mailer": Provide(provide_mailer, sync_to_thread=False),
    }

    @get("/", name="admin.matching.show", opt=MANAGE)
    async def show(self, proposal_id: FromPath[int], db_session: DB, page: Page) -> Template:
        return await page.show(await proposal_or_404(db_session, proposal_id))

    @post("/propose", name="admin.matching.propose", opt=MANAGE)
    async def propose(self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB,
                      page: Page, actor: StaffActor, mailer: Mail) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        form = await form_fields(request)
        collaborator_id = parse_id(form.get("collaborator", ""))
        collaborator = (
            await db_session.get(Collaborator, collaborator_id) if collaborator_id else None
        )
        if collaborator is None:
            return await page.show(proposal, 400, "collaborator_invalid")
        try:
            await intro.propose(
                db_session, page.audit, mailer, proposal, collaborator, actor,
                score=_score(form.get("score", "")),
                confirm_over_capacity=form.get("confirm_over_capacity") == "yes",
            )
        except DomainError as exc:
            return await page.show(proposal, 400, exc.code, chosen=collaborator.id)
        return Redirect(path=f"/admin/proposals/{proposal.id}/matching", status_code=303)

    @post("/{match_id:int}/withdraw", name="admin.matching.withdraw", opt=MANAGE)
    async def withdraw(self, proposal_id: FromPath[int], match_id: FromPath[int],
                       db_session: DB, page: Page, actor: StaffActor) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        match = await db_session.get(Match, match_id) if 1 <= match_id <= MAX_ID else None
        if match is None or match.proposal_id != proposal.id:
            raise NotFoundException()
        collaborator = await db_session.get(Collaborator, match.collaborator_id)
        assert collaborator is not None
        try:
            await intro.withdraw(db_session, page.audit, match, collaborator, actor)
        except DomainError as exc:
            return await page.show(proposal, 400, exc.code)
        return Redirect(path=f"/admin/proposals/{proposal.id}/matching", status_code=303)

