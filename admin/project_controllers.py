"""Projects (チーム) and their public calls for help, for coordinators."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import current_staff, staff_guard
from admin.case_controllers import _proposal
from admin.cases import timeline
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from core import i18n
from core.web import MAX_ID, AnyRequest, client_ip, form_fields, language_of, render, settings_of
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Proposal
from matching import projects as pj
from matching.messages import MESSAGES
from matching.models import Collaborator

DB = NamedDependency[AsyncSession]
READ = {"permission": Permission.PROPOSAL_READ}
MANAGE = {"permission": Permission.COLLABORATOR_MANAGE}


async def _project(db: AsyncSession, project_id: int) -> pj.Project:
    project = await db.get(pj.Project, project_id) if 1 <= project_id <= MAX_ID else None
    if project is None:
        raise NotFoundException()
    return project


async def _page(
    request: AnyRequest,
    db: AsyncSession,
    project: pj.Project,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    _ = i18n.make_gettext(language_of(request))
    staff = current_staff(request)
    members = list((await db.exec(
        select(pj.ProjectMember).where(col(pj.ProjectMember.project_id) == project.id)
        .order_by(col(pj.ProjectMember.id)))).all())
    proposal_ids = [m.proposal_id for m in members if m.proposal_id]
    collaborator_ids = [m.collaborator_id for m in members if m.collaborator_id]
    proposals = {p.id: p for p in (await db.exec(
        select(Proposal).where(col(Proposal.id).in_(proposal_ids)))).all()}
    collaborators = {c.id: c for c in (await db.exec(
        select(Collaborator).where(col(Collaborator.id).in_(collaborator_ids)))).all()}
    calls = list((await db.exec(select(pj.Call).where(col(pj.Call.project_id) == project.id)
                                .order_by(col(pj.Call.id).desc()))).all())
    lead = proposals.get(project.proposal_id) or await db.get(Proposal, project.proposal_id)
    assert lead is not None
    everyone = list((await db.exec(select(StaffUser))).all())
    # The project's history: the events of its proposal (introductions, the project, calls,
    # story steps) — not contact entries or notes, which stay on the case page.
    events = [e for e in await timeline(db, lead, everyone) if e.kind == "event"]
    return render(
        request, "admin/projects/detail.html", status=status, staff=staff, project=project,
        lead=lead, members=members, proposals=proposals, collaborators=collaborators,
        calls=calls, answers=await pj.answers_by_call(db, [c.id or 0 for c in calls]),
        events=events,
        can_manage=allowed(staff.role, Permission.COLLABORATOR_MANAGE),
        can_write_story=allowed(staff.role, Permission.STORY_WRITE),
        errors={k: _(MESSAGES[v]) for k, v in (errors or {}).items()},
        values=values or {}, categories=list(CATEGORY_LABELS.items()),
        wards=list(WARD_LABELS.items()), category_labels=CATEGORY_LABELS,
        ward_labels=WARD_LABELS,
    )


class ProjectController(Controller):
    path = "/admin/projects"
    guards = [staff_guard]  # noqa: RUF012

    @get("/", name="admin.projects.list", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB) -> Template:
        rows = (await db_session.exec(
            select(pj.Project, Proposal).join(Proposal, col(Proposal.id) == col(
                pj.Project.proposal_id)).order_by(col(pj.Project.id).desc()).limit(200))).all()
        open_calls = (await db_session.exec(select(pj.Call.project_id).where(
            col(pj.Call.status) == "open"))).all()
        return render(request, "admin/projects/list.html", staff=current_staff(request),
                      projects=rows, open_calls=set(open_calls))

    @post("/from-proposal/{proposal_id:int}", name="admin.projects.form", opt=MANAGE)
    async def form(
        self, request: AnyRequest, proposal_id: FromPath[int], db_session: DB
    ) -> Redirect:
        proposal = await _proposal(db_session, proposal_id)
        try:
            project = await pj.form_project(
                db_session, request.app.state.audit, proposal, current_staff(request),
                client_ip(request, settings_of(request).trusted_proxies))
        except pj.ProjectError as exc:
            # The button is shown only on open, verified cases; anything else is a stale page.
            raise ClientException(detail=exc.code) from exc
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

    @get("/{project_id:int}", name="admin.projects.detail", opt=READ)
    async def detail(self, request: AnyRequest, project_id: FromPath[int], db_session: DB
                     ) -> Template:
        return await _page(request, db_session, await _project(db_session, project_id))

    @post("/{project_id:int}/members", name="admin.projects.member", opt=MANAGE)
    async def member(self, request: AnyRequest, project_id: FromPath[int], db_session: DB
                     ) -> Template | Redirect:
        project = await _project(db_session, project_id)
        form = await form_fields(request)
        try:
            await pj.add_member(
                db_session, request.app.state.audit, project, current_staff(request),
                proposal_ref=form.get("proposal_ref", "")[:20],
                collaborator_ref=form.get("collaborator_ref", "")[:20],
                ip=client_ip(request, settings_of(request).trusted_proxies))
        except pj.ProjectError as exc:
            return await _page(request, db_session, project, 400,
                               {exc.field or "member": exc.code})
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

    @post("/{project_id:int}/calls", name="admin.projects.call", opt=MANAGE)
    async def call(self, request: AnyRequest, project_id: FromPath[int], db_session: DB
                   ) -> Template | Redirect:
        project = await _project(db_session, project_id)
        form = await form_fields(request)
        known = await pj.member_values(db_session, request.app.state.cipher, project)
        data, errors = pj.validate_call(form, known)
        if data is None:
            values = {k: form.get(k, "") for k in ("title", "needed", "category", "ward")}
            return await _page(request, db_session, project, 422, errors, values)
        await pj.open_call(db_session, request.app.state.audit, project, data,
                           current_staff(request),
                           client_ip(request, settings_of(request).trusted_proxies))
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

    @post("/{project_id:int}/calls/{call_id:int}/close", name="admin.projects.call_close",
          opt=MANAGE)
    async def close(self, request: AnyRequest, project_id: FromPath[int],
                    call_id: FromPath[int], db_session: DB) -> Template | Redirect:
        project = await _project(db_session, project_id)
        call = await db_session.get(pj.Call, call_id) if 1 <= call_id <= MAX_ID else None
        if call is None or call.project_id != project.id:
            raise NotFoundException()
        try:
            await pj.close_call(db_session, request.app.state.audit, project, call,
                                current_staff(request),
                                client_ip(request, settings_of(request).trusted_proxies))
        except pj.ProjectError as exc:
            return await _page(request, db_session, project, 400, {"call": exc.code})
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

