"""Collaborator pages for staff: list and filters, staff entry, record with masked contact
data and audited reveals, profile edits, pause / retire / reactivate."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import current_staff, staff_guard
from admin.case_controllers import CONSENT_METHODS
from admin.cases import masked, reveal
from admin.collaborators import (
    ACTIONS,
    CONTACT_FIELDS,
    REVEAL_REASONS,
    CollaboratorFilters,
    actions_for,
    change_status,
    history,
    list_collaborators,
    profile_values,
    update_profile,
)
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.services import actor_of
from core import i18n
from core.web import (
    MAX_ID,
    AnyRequest,
    client_ip,
    form_fields,
    form_lists,
    language_of,
    parse_id,
    render,
    sealed_search,
    search_redirect,
    settings_of,
)
from intake import messages as intake_messages
from intake.collaborator_controllers import collaborator_choices, error_messages
from intake.collaborator_services import enter_collaborator_on_behalf
from intake.collaborator_validation import LIST_FIELDS, validate_collaborator, validate_profile
from intake.models import Proposal
from intake.validation import CATEGORIES, WARDS
from matching.models import AVAILABILITIES, OFFER_SUGGESTIONS, Collaborator

DB = NamedDependency[AsyncSession]
READ = {"permission": Permission.COLLABORATOR_READ}
MANAGE = {"permission": Permission.COLLABORATOR_MANAGE}
BASE = "/admin/collaborators"


def _pick(value: str, allowed_values: tuple[str, ...]) -> str:
    return value if value in allowed_values else ""


def _filters(request: AnyRequest) -> CollaboratorFilters:
    q = request.query_params
    return CollaboratorFilters(
        status=_pick(q.get("status", ""), tuple(messages.COLLABORATOR_STATUS_LABELS)),
        category=_pick(q.get("category", ""), CATEGORIES),
        ward=_pick(q.get("ward", ""), WARDS),
        offer=q.get("offer", "").strip()[:30],
        availability=_pick(q.get("availability", ""), AVAILABILITIES),
        q=sealed_search(request),
        after=parse_id(q.get("after", "")),
        sort="oldest" if q.get("sort") == "oldest" else "newest",
    )


def _choices() -> dict[str, Any]:
    return {
        **collaborator_choices(),
        "status_labels": messages.COLLABORATOR_STATUS_LABELS,
        "action_labels": messages.COLLABORATOR_ACTION_LABELS,
        "reveal_reasons": [(r, messages.REVEAL_LABELS[r]) for r in REVEAL_REASONS],
        "consent_labels": messages.CONSENT_LABELS,
    }


def _errors(request: AnyRequest, errors: dict[str, str]) -> dict[str, str]:
    """The form's messages, and the staff pages' own (such as the consent method)."""
    _ = i18n.make_gettext(language_of(request))
    form = error_messages(request, {name: code for name, code in errors.items()
                                    if code in intake_messages.ERRORS})
    return {name: form.get(name) or _(messages.MESSAGES[code]) for name, code in errors.items()}


async def _collaborator(db: AsyncSession, collaborator_id: int) -> Collaborator:
    if not 1 <= collaborator_id <= MAX_ID:
        raise NotFoundException()
    collaborator = await db.get(Collaborator, collaborator_id)
    if collaborator is None or collaborator.status == "unverified":
        raise NotFoundException()
    return collaborator


async def _detail_page(
    request: AnyRequest, db: AsyncSession, collaborator: Collaborator, status: int = 200,
    error: str | None = None, revealed: tuple[str, str] | None = None,
) -> Template:
    staff = current_staff(request)
    can_see_contact = allowed(staff.role, Permission.CONTACT_REVEAL)
    everyone = list((await db.exec(select(StaffUser))).all())
    _ = i18n.make_gettext(language_of(request))
    return render(
        request, "admin/collaborators/detail.html", status=status, staff=staff,
        c=collaborator, revealed=revealed,
        contact=masked(request.app.state.cipher, collaborator, CONTACT_FIELDS)
        if can_see_contact else None,
        can_manage=allowed(staff.role, Permission.COLLABORATOR_MANAGE),
        actions=actions_for(collaborator.status),
        events=await history(db, collaborator, everyone),
        fits=await _fits(request, db, collaborator) if collaborator.status == "active" else [],
        error=_(messages.MESSAGES[error]) if error else None, **_choices(),
    )


async def _fits(
    request: AnyRequest, db: AsyncSession, collaborator: Collaborator
) -> list[dict[str, Any]]:
    """Open proposals and calls for help this collaborator fits, with the reasons."""
    from matching.messages import in_words
    from matching.projects import Call
    from matching.service import OpenProposals

    lang = language_of(request)
    _ = i18n.make_gettext(lang)
    index: OpenProposals = request.app.state.open_proposals
    ranked = await index.for_collaborator(db, collaborator, limit=8)
    proposal_ids = [int(s.collaborator_id) for s in ranked if s.collaborator_id.isdigit()]
    call_ids = [int(s.collaborator_id[5:]) for s in ranked if s.collaborator_id.startswith("call:")]
    proposals = {str(p.id): p for p in (await db.exec(
        select(Proposal).where(col(Proposal.id).in_(proposal_ids)))).all()}
    calls = {f"call:{c.id}": c for c in (await db.exec(
        select(Call).where(col(Call.id).in_(call_ids)))).all()}
    rows: list[dict[str, Any]] = []
    for s in ranked:
        reasons = [(in_words(r, _, lang), r.warning) for r in s.reasons if r.code != "load"]
        if s.collaborator_id in proposals:
            p = proposals[s.collaborator_id]
            rows.append({"href": f"/admin/proposals/{p.id}/matching",
                         "label": f"{p.ref} · {p.catchphrase}", "reasons": reasons})
        elif s.collaborator_id in calls:
            c = calls[s.collaborator_id]
            rows.append({"href": f"/admin/projects/{c.project_id}",
                         "label": f"{_('Call for help')}: {c.title}", "reasons": reasons})
    return rows


def _entry_page(
    request: AnyRequest, values: dict[str, str], lists: dict[str, list[str]],
    errors: dict[str, str], status: int,
) -> Template:
    return render(
        request, "admin/collaborators/new.html", status=status, staff=current_staff(request),
        values=values, lists=lists, errors=_errors(request, errors),
        consent_methods=[(c, messages.CONSENT_LABELS[c]) for c in CONSENT_METHODS],
        **_choices(),
    )


def _edit_page(
    request: AnyRequest, collaborator: Collaborator, values: dict[str, str],
    lists: dict[str, list[str]], errors: dict[str, str], status: int = 200,
) -> Template:
    return render(
        request, "admin/collaborators/edit.html", status=status, staff=current_staff(request),
        c=collaborator, values=values, lists=lists, errors=_errors(request, errors),
        **_choices(),
    )


def _ip(request: AnyRequest) -> str:
    return client_ip(request, settings_of(request).trusted_proxies)


class CollaboratorController(Controller):
    path = BASE
    guards = [staff_guard]  # noqa: RUF012

    @post("/search", name="admin.collaborators.search", opt=READ)
    async def search(self, request: AnyRequest) -> Redirect:
        return await search_redirect(request, BASE)

    @get("/", name="admin.collaborators.list", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB) -> Template:
        filters = _filters(request)
        page = await list_collaborators(db_session, filters)
        query = {k: v for k, v in request.query_params.items() if k != "after"}
        staff = current_staff(request)
        return render(
            request, "admin/collaborators/list.html", staff=staff, rows=page.rows, f=filters,
            next_after=page.next_after, query=query,
            can_manage=allowed(staff.role, Permission.COLLABORATOR_MANAGE), **_choices(),
        )

    @get("/new", name="admin.collaborators.new", opt=MANAGE)
    async def new_form(self, request: AnyRequest) -> Template:
        return _entry_page(request, {"capacity": "1"}, {}, {}, 200)

    @post("/new", name="admin.collaborators.create", opt=MANAGE)
    async def create(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        form = await form_fields(request)
        result = validate_collaborator(form, await form_lists(request, *LIST_FIELDS))
        errors = dict(result.errors)
        method = form.get("consent_method", "")
        if method not in CONSENT_METHODS:
            errors = {"consent_method": "consent_method_invalid", **errors}
        values = {**result.values, "consent_method": method}
        if errors or result.data is None:
            return _entry_page(request, values, result.lists, errors, 422)
        staff = current_staff(request)
        assert staff.id is not None
        entered = await enter_collaborator_on_behalf(
            db_session, request.app.state.cipher, request.app.state.audit, result.data,
            staff_id=staff.id, actor=actor_of(staff), organisation=staff.organisation,
            consent_method=method, ip=_ip(request),
        )
        return Redirect(path=f"{BASE}/{entered.collaborator_id}", status_code=303)

    @get("/{collaborator_id:int}", name="admin.collaborators.detail", opt=READ)
    async def detail(
        self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB
    ) -> Template:
        collaborator = await _collaborator(db_session, collaborator_id)
        return await _detail_page(request, db_session, collaborator)

    @post("/{collaborator_id:int}/reveal", name="admin.collaborators.reveal",
          opt={"permission": Permission.CONTACT_REVEAL})
    async def reveal_field(
        self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB
    ) -> Template:
        collaborator = await _collaborator(db_session, collaborator_id)
        form = await form_fields(request)
        field = form.get("field", "")
        value = await reveal(
            db_session, request.app.state.cipher, request.app.state.audit, collaborator, field,
            form.get("reason", ""), current_staff(request), _ip(request),
            object_type="collaborator", fields=CONTACT_FIELDS, reasons=REVEAL_REASONS,
        )
        if value is None:
            return await _detail_page(request, db_session, collaborator, 400, "reveal_invalid")
        return await _detail_page(request, db_session, collaborator, revealed=(field, value))

    @get("/{collaborator_id:int}/edit", name="admin.collaborators.edit", opt=MANAGE)
    async def edit_form(
        self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB
    ) -> Template:
        collaborator = await _collaborator(db_session, collaborator_id)
        values, lists = profile_values(collaborator, OFFER_SUGGESTIONS)
        return _edit_page(request, collaborator, values, lists, {})

    @post("/{collaborator_id:int}/edit", name="admin.collaborators.update", opt=MANAGE)
    async def update(
        self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB
    ) -> Template | Redirect:
        collaborator = await _collaborator(db_session, collaborator_id)
        form = await form_fields(request)
        result = validate_profile(form, await form_lists(request, *LIST_FIELDS))
        if result.errors or result.data is None:
            return _edit_page(request, collaborator, result.values, result.lists,
                              result.errors, 422)
        await update_profile(db_session, request.app.state.audit, collaborator, result.data,
                             current_staff(request), _ip(request))
        return Redirect(path=f"{BASE}/{collaborator.id}", status_code=303)

    @post("/{collaborator_id:int}/status", name="admin.collaborators.status", opt=MANAGE)
    async def status(
        self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB
    ) -> Template | Redirect:
        collaborator = await _collaborator(db_session, collaborator_id)
        action = (await form_fields(request)).get("action", "")
        problem = await change_status(db_session, request.app.state.audit, collaborator,
                                      action if action in ACTIONS else "", current_staff(request),
                                      _ip(request))
        if problem:
            return await _detail_page(request, db_session, collaborator, 400, problem)
        return Redirect(path=f"{BASE}/{collaborator.id}", status_code=303)
