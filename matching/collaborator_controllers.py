"""The collaborator pool for staff (/admin/collaborators): list and filters, staff entry,
the record with masked contact data and audited reveals, profile edits, pause / retire /
reactivate, and the open proposals and calls the collaborator fits."""

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

from admin import messages as admin_messages
from admin.auth import Staff, StaffActor, StaffController
from admin.case_controllers import CONSENT_METHODS
from admin.contact import (
    COLLABORATOR_FIELDS,
    COLLABORATOR_REASONS,
    masked,
    reveal,
    screened,
    sees_contact_data,
)
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.timeline import history
from core import i18n
from core.audit import AuditLog
from core.context import DB, Audit, Cipher, state_item
from core.crypto import FieldCipher
from core.errors import DomainError
from core.web import (
    MAX_ID,
    AnyRequest,
    form_fields,
    form_lists,
    language_of,
    parse_id,
    render,
    sealed_search,
    search_redirect,
)
from intake import messages as intake_messages
from intake.collaborator_controllers import collaborator_choices, error_messages
from intake.collaborator_validation import LIST_FIELDS, validate_collaborator, validate_profile
from intake.collaborators import (
    ACTIONS,
    CollaboratorFilters,
    actions_for,
    change_status,
    enter_collaborator_on_behalf,
    list_collaborators,
    profile_values,
    update_profile,
)
from intake.models import Collaborator, CollaboratorStatus, Proposal
from intake.vocabulary import AVAILABILITIES, CATEGORIES, WARDS
from matching.messages import ALL, COLLABORATOR_ACTION_LABELS, COLLABORATOR_STATUS_LABELS, in_words
from matching.models import Call
from matching.service import OpenProposals

READ = {"permission": Permission.COLLABORATOR_READ}
MANAGE = {"permission": Permission.COLLABORATOR_MANAGE}
BASE = "/admin/collaborators"


def _pick(value: str, allowed_values: tuple[str, ...]) -> str:
    return value if value in allowed_values else ""


def _filters(request: AnyRequest, reader: str) -> CollaboratorFilters:
    q = request.query_params
    return CollaboratorFilters(
        status=_pick(q.get("status", ""), tuple(COLLABORATOR_STATUS_LABELS)),
        category=_pick(q.get("category", ""), CATEGORIES),
        ward=_pick(q.get("ward", ""), WARDS),
        offer=q.get("offer", "").strip()[:30],
        availability=_pick(q.get("availability", ""), AVAILABILITIES),
        q=sealed_search(request, reader),
        after=parse_id(q.get("after", "")),
        sort="oldest" if q.get("sort") == "oldest" else "newest",
    )


def _choices() -> dict[str, Any]:
    return {
        **collaborator_choices(),
        "status_labels": COLLABORATOR_STATUS_LABELS,
        "action_labels": COLLABORATOR_ACTION_LABELS,
        "reveal_reasons": [(r, admin_messages.REVEAL_LABELS[r]) for r in COLLABORATOR_REASONS],
        "consent_labels": admin_messages.CONSENT_LABELS,
    }


def _errors(request: AnyRequest, errors: dict[str, str]) -> dict[str, str]:
    """The form's messages, and the staff pages' own (such as the consent method)."""
    _ = i18n.make_gettext(language_of(request))
    form = error_messages(request, {name: code for name, code in errors.items()
                                    if code in intake_messages.ERRORS})
    return {name: form.get(name) or _(ALL[code]) for name, code in errors.items()}


async def collaborator_or_404(db: AsyncSession, collaborator_id: int) -> Collaborator:
    if not 1 <= collaborator_id <= MAX_ID:
        raise NotFoundException()
    collaborator = await db.get(Collaborator, collaborator_id)
    if collaborator is None or collaborator.status == CollaboratorStatus.UNVERIFIED:
        raise NotFoundException()
    return collaborator


@dataclass
class RecordPage:
    """A collaborator's record, for the handlers that show it again after a step."""

    request: AnyRequest
    db: AsyncSession
    cipher: FieldCipher
    audit: AuditLog
    staff: StaffUser
    open_proposals: OpenProposals

    async def show(self, collaborator: Collaborator, status: int = 200,
                   error: str | None = None, revealed: tuple[str, str] | None = None
                   ) -> Template:
        staff, db = self.staff, self.db
        everyone = list((await db.exec(select(StaffUser))).all())
        _ = i18n.make_gettext(language_of(self.request))
        fits = (await self.fits(collaborator)
                if collaborator.status == CollaboratorStatus.ACTIVE else [])
        return render(
            self.request, "admin/collaborators/detail.html", status=status, staff=staff,
            c=collaborator, revealed=revealed,
            contact=masked(self.cipher, collaborator, COLLABORATOR_FIELDS)
            if sees_contact_data(staff.role) else None,
            can_manage=allowed(staff.role, Permission.COLLABORATOR_MANAGE),
            actions=actions_for(collaborator.status),
            events=await history(db, "collaborator", collaborator.id, everyone),
            fits=fits, error=_(ALL[error]) if error else None, **_choices(),
        )

    async def fits(self, collaborator: Collaborator) -> list[dict[str, Any]]:
        """Open proposals and calls for help this collaborator fits, with the reasons."""
        lang = language_of(self.request)
        _ = i18n.make_gettext(lang)
        ranked = await self.open_proposals.for_collaborator(self.db, collaborator, limit=8)
        proposal_ids = [int(s.collaborator_id) for s in ranked if s.collaborator_id.isdigit()]
        call_ids = [int(s.collaborator_id[5:]) for s in ranked
                    if s.collaborator_id.startswith("call:")]
        proposals = {str(p.id): p for p in (await self.db.exec(
            select(Proposal).where(col(Proposal.id).in_(proposal_ids)))).all()}
        calls = {f"call:{c.id}": c for c in (await self.db.exec(
            select(Call).where(col(Call.id).in_(call_ids)))).all()}
        rows: list[dict[str, Any]] = []
        for s in ranked:
            reasons = [(in_words(r, _, lang), r.warning) for r in s.reasons if r.code != "load"]
            if s.collaborator_id in proposals:
                p = proposals[s.collaborator_id]
                # Screened by the owning record: its applicant's own name and contact
                # values are blacked out for readers who see no contact data.
                rows.append({"href": f"/admin/proposals/{p.id}/matching",
                             "label": f"{p.ref} · {p.catchphrase}", "reasons": reasons,
                             "record": p})
            elif s.collaborator_id in calls:
                c = calls[s.collaborator_id]
                rows.append({"href": f"/admin/projects/{c.project_id}",
                             "label": _("Call for help: %(title)s", title=c.title),
                             "reasons": reasons, "record": None})
        return rows


def provide_open_proposals(request: AnyRequest) -> OpenProposals:
    return state_item(request.app.state, "open_proposals", OpenProposals)


def provide_record_page(request: AnyRequest, db_session: DB, cipher: Cipher, audit: Audit,
                        staff: Staff, open_proposals: NamedDependency[OpenProposals]
                        ) -> RecordPage:
    return RecordPage(request, db_session, cipher, audit, staff, open_proposals)


Record = NamedDependency[RecordPage]


def _entry_page(
    request: AnyRequest, staff: StaffUser, values: dict[str, str],
    lists: dict[str, list[str]], errors: dict[str, str], status: int,
) -> Template:
    return render(
        request, "admin/collaborators/new.html", status=status, staff=staff,
        values=values, lists=lists, errors=_errors(request, errors),
        consent_methods=[(c, admin_messages.CONSENT_LABELS[c]) for c in CONSENT_METHODS],
        **_choices(),
    )


def _edit_page(
    request: AnyRequest, staff: StaffUser, collaborator: Collaborator, values: dict[str, str],
    lists: dict[str, list[str]], errors: dict[str, str], status: int = 200,
) -> Template:
    return render(
        request, "admin/collaborators/edit.html", status=status, staff=staff,
        c=collaborator, values=values, lists=lists, errors=_errors(request, errors),
        **_choices(),
    )


class CollaboratorController(StaffController):
    path = BASE
    dependencies = {  # noqa: RUF012
        **StaffController.dependencies,
        "open_proposals": Provide(provide_open_proposals, sync_to_thread=False),
        "record": Provide(provide_record_page, sync_to_thread=False),
    }

    @post("/search", name="admin.collaborators.search", opt=READ)
    async def search(self, request: AnyRequest, actor: StaffActor) -> Redirect:
        return await search_redirect(request, actor.name, BASE)

    @get("/", name="admin.collaborators.list", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                    cipher: Cipher) -> Template:
        filters = _filters(request, actor.name)
        screen = None if sees_contact_data(staff.role) else (
            lambda record, text: screened(text, None, record, cipher=cipher))
        page = await list_collaborators(db_session, filters, screen=screen)
        query = {k: v for k, v in request.query_params.items() if k != "after"}
        return render(
            request, "admin/collaborators/list.html", staff=staff, rows=page.rows, f=filters,
            next_after=page.next_after, query=query,
            can_manage=allowed(staff.role, Permission.COLLABORATOR_MANAGE), **_choices(),
        )

    @get("/new", name="admin.collaborators.new", opt=MANAGE)
    async def new_form(self, request: AnyRequest, staff: Staff) -> Template:
        return _entry_page(request, staff, {"capacity": "1"}, {}, {}, 200)

    @post("/new", name="admin.collaborators.create", opt=MANAGE)
    async def create(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                     cipher: Cipher, audit: Audit) -> Template | Redirect:
        form = await form_fields(request, validated=True)
        result = validate_collaborator(form, await form_lists(request, *LIST_FIELDS,
                                                              validated=True))
        errors = dict(result.errors)
        method = form.get("consent_method", "")
        if method not in CONSENT_METHODS:
            errors = {"consent_method": "consent_method_invalid", **errors}
        values = {**result.values, "consent_method": method}
        if errors or result.data is None:
            return _entry_page(request, staff, values, result.lists, errors, 422)
        entered = await enter_collaborator_on_behalf(db_session, cipher, audit, result.data,
                                                     actor, consent_method=method)
        return Redirect(path=f"{BASE}/{entered.collaborator_id}", status_code=303)

    @get("/{collaborator_id:int}", name="admin.collaborators.detail", opt=READ)
    async def detail(self, collaborator_id: FromPath[int], db_session: DB, record: Record
                     ) -> Template:
        return await record.show(await collaborator_or_404(db_session, collaborator_id))

    @post("/{collaborator_id:int}/reveal", name="admin.collaborators.reveal",
          opt={"permission": Permission.CONTACT_REVEAL})
    async def reveal_field(self, request: AnyRequest, collaborator_id: FromPath[int],
                           db_session: DB, record: Record, actor: StaffActor) -> Template:
        collaborator = await collaborator_or_404(db_session, collaborator_id)
        form = await form_fields(request)
        field = form.get("field", "")
        try:
            value = await reveal(
                db_session, record.cipher, record.audit, collaborator, field,
                form.get("reason", ""), actor, object_type="collaborator",
                fields=COLLABORATOR_FIELDS, reasons=COLLABORATOR_REASONS)
        except DomainError as exc:
            return await record.show(collaborator, 400, exc.code)
        return await record.show(collaborator, revealed=(field, value))

    @get("/{collaborator_id:int}/edit", name="admin.collaborators.edit", opt=MANAGE)
    async def edit_form(self, request: AnyRequest, collaborator_id: FromPath[int],
                        db_session: DB, staff: Staff) -> Template:
        collaborator = await collaborator_or_404(db_session, collaborator_id)
        values, lists = profile_values(collaborator)
        return _edit_page(request, staff, collaborator, values, lists, {})

    @post("/{collaborator_id:int}/edit", name="admin.collaborators.update", opt=MANAGE)
    async def update(self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB,
                     staff: Staff, actor: StaffActor, audit: Audit) -> Template | Redirect:
        collaborator = await collaborator_or_404(db_session, collaborator_id)
        form = await form_fields(request)
        result = validate_profile(form, await form_lists(request, *LIST_FIELDS))
        if result.errors or result.data is None:
            return _edit_page(request, staff, collaborator, result.values, result.lists,
                              result.errors, 422)
        await update_profile(db_session, audit, collaborator, result.data, actor)
        return Redirect(path=f"{BASE}/{collaborator.id}", status_code=303)

    @post("/{collaborator_id:int}/status", name="admin.collaborators.status", opt=MANAGE)
    async def status(self, request: AnyRequest, collaborator_id: FromPath[int], db_session: DB,
                     record: Record, actor: StaffActor) -> Template | Redirect:
        collaborator = await collaborator_or_404(db_session, collaborator_id)
        action = (await form_fields(request)).get("action", "")
        try:
            await change_status(db_session, record.audit, collaborator,
                                action if action in ACTIONS else "", actor)
        except DomainError as exc:
            return await record.show(collaborator, 400, exc.code)
        return Redirect(path=f"{BASE}/{collaborator.id}", status_code=303)
