"""Proposal list and case page: filters, masked contact data, reveals, status, contacts."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import Staff, StaffActor, StaffController
from admin.case_list import Filters, is_overdue, list_proposals
from admin.cases import (
    CHANNELS,
    OUTCOMES,
    add_contact,
    add_note,
    assign,
    change_status,
    parse_contact,
    reopen,
)
from admin.contact import REVEAL_REASONS, masked, reveal, screened_proposal, sees_contact_data
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.timeline import timeline
from admin.workflow import CLOSED, allowed_next
from core import i18n
from core.audit import AuditLog
from core.context import DB, Audit, Cipher, Config
from core.crypto import FieldCipher
from core.errors import DomainError
from core.i18n import N_
from core.web import (
    MAX_ID,
    AnyRequest,
    form_fields,
    language_of,
    parse_id,
    render,
    sealed_search,
    search_redirect,
)
from intake import messages as intake_messages
from intake.messages import CATEGORY_LABELS, LABELS, WARD_LABELS
from intake.models import Proposal, ProposalStatus
from intake.services import enter_on_behalf
from intake.validation import validate_proposal

READ = {"permission": Permission.PROPOSAL_READ}
UPDATE = {"permission": Permission.PROPOSAL_UPDATE}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _assignee(value: str) -> str:
    if value in ("me", "none"):
        return value
    return str(parse_id(value) or "")


def _filters(request: AnyRequest, reader: str) -> Filters:
    q = request.query_params
    after = q.get("after", "")
    return Filters(
        status=q.get("status", "") if q.get("status", "") in messages.STATUS_LABELS else "",
        category=q.get("category", "") if q.get("category", "") in CATEGORY_LABELS else "",
        ward=q.get("ward", "") if q.get("ward", "") in WARD_LABELS else "",
        assignee=_assignee(q.get("assignee", "")),
        overdue=q.get("overdue") == "1",
        since=_date(q.get("since")),
        until=_date(q.get("until")),
        q=sealed_search(request, reader),
        after=parse_id(after),
        sort="oldest" if q.get("sort") == "oldest" else "newest",
    )



async def proposal_or_404(db: AsyncSession, proposal_id: int) -> Proposal:
    """A proposal staff may open (verified), or 404."""
    if not 1 <= proposal_id <= MAX_ID:
        raise NotFoundException()
    proposal = await db.get(Proposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.UNVERIFIED:
        raise NotFoundException()
    return proposal


async def _staff_list(db: AsyncSession) -> list[StaffUser]:
    query = select(StaffUser).where(col(StaffUser.active)).order_by(col(StaffUser.display_name))
    return list((await db.exec(query)).all())


def _choices() -> dict[str, Any]:
    return {
        "status_labels": messages.STATUS_LABELS,
        "categories": CATEGORY_LABELS,
        "wards": WARD_LABELS,
        "labels": LABELS,
        "channels": [(c, messages.CHANNEL_LABELS[c]) for c in CHANNELS],
        "outcomes": [(o, messages.OUTCOME_LABELS[o]) for o in OUTCOMES],
        "reveal_reasons": [(r, messages.REVEAL_LABELS[r]) for r in REVEAL_REASONS],
        "source_labels": {"web": N_("Web form"), **messages.SOURCE_LABELS},
        "consent_labels": {"web_form": N_("Ticked the box on the web form"),
                           **messages.CONSENT_LABELS},
    }


@dataclass
class CasePage:
    """The case page and what it needs, for the handlers that show it again after a step."""

    request: AnyRequest
    db: AsyncSession
    cipher: FieldCipher
    audit: AuditLog
    staff: StaffUser
    sla_days: int

    async def show(self, proposal: Proposal, status: int = 200, error: str | None = None,
                   revealed: tuple[str, str] | None = None) -> Template:
        staff, db = self.staff, self.db
        can_see_contact = sees_contact_data(staff.role)
        # Everyone, inactive too: the timeline names people who have since left.
        everyone = list((await db.exec(select(StaffUser).order_by(
            col(StaffUser.display_name)))).all())
        _ = i18n.make_gettext(language_of(self.request))
        return render(
            self.request, "admin/proposals/detail.html", status=status, staff=staff,
            p=proposal, text=screened_proposal(self.cipher, proposal, staff.role),
            contact=masked(self.cipher, proposal) if can_see_contact else None,
            revealed=revealed, can_update=allowed(staff.role, Permission.PROPOSAL_UPDATE),
            can_reopen=allowed(staff.role, Permission.CASE_REOPEN),
            can_match=allowed(staff.role, Permission.COLLABORATOR_MANAGE)
            and proposal.status not in CLOSED,
            # Summaries and notes are free text that may hold names and numbers.
            can_read_notes=can_see_contact,
            next_statuses=allowed_next(proposal.status), closed=proposal.status in CLOSED,
            overdue=is_overdue(proposal, self.sla_days),
            events=await timeline(db, proposal, everyone),
            staff_list=[u for u in everyone if u.active],
            error=_(messages.MESSAGES[error]) if error else None,
            **_choices(),
        )

    async def after(self, proposal: Proposal, step: Awaitable[None]) -> Template | Redirect:
        """Post/Redirect/Get after a step, or the case page with the reason it was refused."""
        try:
            await step
        except DomainError as exc:
            return await self.show(proposal, 400, exc.code)
        return Redirect(path=f"/admin/proposals/{proposal.id}", status_code=303)


def provide_case_page(request: AnyRequest, db_session: DB, cipher: Cipher, audit: Audit,
                      staff: Staff, settings: Config) -> CasePage:
    return CasePage(request, db_session, cipher, audit, staff, settings.sla_business_days)


Case = NamedDependency[CasePage]


SOURCES = ("phone", "paper", "in_person")
CONSENT_METHODS = ("verbal_phone", "signed_paper", "in_person")


def _entry_page(
    request: AnyRequest, staff: StaffUser, values: dict[str, str], errors: dict[str, str],
    status: int,
) -> Template:
    _ = i18n.make_gettext(language_of(request))
    shown = {name: _(intake_messages.ERRORS[code], field=_(LABELS.get(name, name)))
             if code in intake_messages.ERRORS else _(messages.MESSAGES[code])
             for name, code in errors.items()}
    return render(
        request, "admin/proposals/new.html", status=status, staff=staff,
        values=values, errors=shown,
        categories=list(CATEGORY_LABELS.items()), wards=list(WARD_LABELS.items()), labels=LABELS,
        sources=[(c, messages.SOURCE_LABELS[c]) for c in SOURCES],
        consent_methods=[(c, messages.CONSENT_LABELS[c]) for c in CONSENT_METHODS],
    )


class CaseController(StaffController):
    path = "/admin/proposals"
    dependencies = {  # noqa: RUF012
        **StaffController.dependencies,
        "case": Provide(provide_case_page, sync_to_thread=False),
    }

    @get("/", name="admin.proposals.list", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                    settings: Config) -> Template:
        filters = _filters(request, actor.name)
        sla_days = settings.sla_business_days
        page = await list_proposals(db_session, filters, actor, sla_days=sla_days)
        rows = page.rows
        query = {k: v for k, v in request.query_params.items() if k != "after"}
        return render(
            request, "admin/proposals/list.html", staff=staff, rows=rows, f=filters,
            next_after=page.next_after, partial=page.partial, query=query,
            overdue_ids={p.id for p in rows if is_overdue(p, sla_days)}, sla_days=sla_days,
            staff_list=await _staff_list(db_session), **_choices(),
        )

    @post("/search", name="admin.proposals.search", opt=READ)
    async def search(self, request: AnyRequest, actor: StaffActor) -> Redirect:
        return await search_redirect(request, actor.name, "/admin/proposals")

    @get("/new", name="admin.proposals.new", opt=UPDATE)
    async def new_form(self, request: AnyRequest, staff: Staff) -> Template:
        return _entry_page(request, staff, {}, {}, 200)

    @post("/new", name="admin.proposals.create", opt=UPDATE)
    async def create(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                     cipher: Cipher, audit: Audit) -> Template | Redirect:
        form = await form_fields(request, validated=True)
        result = validate_proposal(form)
        errors = dict(result.errors)
        source, method = form.get("source", ""), form.get("consent_method", "")
        if source not in SOURCES:
            errors["source"] = "source_invalid"
        if method not in CONSENT_METHODS:
            errors["consent_method"] = "consent_method_invalid"
        values = {**result.values, "source": source, "consent_method": method}
        if errors or result.data is None:
            return _entry_page(request, staff, values, errors, 422)
        entered = await enter_on_behalf(db_session, cipher, audit, result.data, actor,
                                        source=source, consent_method=method)
        return Redirect(path=f"/admin/proposals/{entered.proposal_id}", status_code=303)

    @get("/{proposal_id:int}", name="admin.proposals.detail", opt=READ)
    async def detail(self, proposal_id: FromPath[int], db_session: DB, case: Case) -> Template:
        return await case.show(await proposal_or_404(db_session, proposal_id))

    @post("/{proposal_id:int}/reveal", name="admin.proposals.reveal",
          opt={"permission": Permission.CONTACT_REVEAL})
    async def reveal_field(self, request: AnyRequest, proposal_id: FromPath[int],
                           db_session: DB, case: Case, actor: StaffActor) -> Template:
        proposal = await proposal_or_404(db_session, proposal_id)
        form = await form_fields(request)
        field = form.get("field", "")
        try:
            value = await reveal(db_session, case.cipher, case.audit, proposal, field,
                                 form.get("reason", ""), actor)
        except DomainError as exc:
            return await case.show(proposal, 400, exc.code)
        return await case.show(proposal, revealed=(field, value))

    @post("/{proposal_id:int}/status", name="admin.proposals.status", opt=UPDATE)
    async def status(self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB,
                     case: Case, actor: StaffActor) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        form = await form_fields(request)
        return await case.after(proposal, change_status(
            db_session, case.audit, proposal, form.get("to", ""), form.get("reason", "")[:500],
            actor))

    @post("/{proposal_id:int}/contacts", name="admin.proposals.contact", opt=UPDATE)
    async def contact(self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB,
                      case: Case, actor: StaffActor) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        form = await form_fields(request)

        async def log_contact() -> None:
            await add_contact(db_session, case.audit, proposal, parse_contact(form), actor)

        return await case.after(proposal, log_contact())

    @post("/{proposal_id:int}/reopen", name="admin.proposals.reopen",
          opt={"permission": Permission.CASE_REOPEN})
    async def reopen_case(self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB,
                          case: Case, actor: StaffActor) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        reason = (await form_fields(request)).get("reason", "")[:500]
        return await case.after(proposal, reopen(db_session, case.audit, proposal, reason,
                                                 actor))

    @post("/{proposal_id:int}/notes", name="admin.proposals.note", opt=UPDATE)
    async def note(self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB,
                   case: Case, actor: StaffActor) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        text = (await form_fields(request)).get("text", "")
        return await case.after(proposal, add_note(db_session, case.audit, proposal, text,
                                                   actor))

    @post("/{proposal_id:int}/assign", name="admin.proposals.assign", opt=UPDATE)
    async def assign_to(self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB,
                        case: Case, actor: StaffActor) -> Template | Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        raw = (await form_fields(request)).get("assignee", "")
        assignee_id = parse_id(raw)
        assignee = await db_session.get(StaffUser, assignee_id) if assignee_id else None
        if raw and (assignee is None or not assignee.active):
            return await case.show(proposal, 400, "assignee_invalid")
        return await case.after(proposal, assign(
            db_session, case.audit, proposal, assignee.id if assignee else None, actor))
