"""Projects (チーム) and their public calls for help, for coordinators (/admin/projects)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import Staff, StaffActor, StaffController
from admin.case_controllers import proposal_or_404
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.timeline import timeline
from core import i18n
from core.audit import AuditLog
from core.context import DB, Audit, Cipher
from core.crypto import FieldCipher
from core.errors import DomainError
from core.web import MAX_ID, AnyRequest, form_fields, language_of, render
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Collaborator, Proposal
from matching import projects as pj
from matching.messages import ALL
from matching.models import Call, CallStatus, Project, ProjectMember

READ = {"permission": Permission.PROPOSAL_READ}
MANAGE = {"permission": Permission.COLLABORATOR_MANAGE}


async def project_or_404(db: AsyncSession, project_id: int) -> Project:
    project = await db.get(Project, project_id) if 1 <= project_id <= MAX_ID else None
    if project is None:
        raise NotFoundException()
    return project


@dataclass
class ProjectPage:
    request: AnyRequest
    db: AsyncSession
    cipher: FieldCipher
    audit: AuditLog
    staff: StaffUser

    async def show(self, project: Project, status: int = 200,
                   errors: dict[str, str] | None = None, values: dict[str, str] | None = None
                   ) -> Template:
        db, staff = self.db, self.staff
        _ = i18n.make_gettext(language_of(self.request))
        members = list((await db.exec(
            select(ProjectMember).where(col(ProjectMember.project_id) == project.id)
            .order_by(col(ProjectMember.id)))).all())
        proposal_ids = [m.proposal_id for m in members if m.proposal_id]
        collaborator_ids = [m.collaborator_id for m in members if m.collaborator_id]
        proposals = {p.id: p for p in (await db.exec(
            select(Proposal).where(col(Proposal.id).in_(proposal_ids)))).all()}
        collaborators = {c.id: c for c in (await db.exec(
            select(Collaborator).where(col(Collaborator.id).in_(collaborator_ids)))).all()}
        calls = list((await db.exec(select(Call).where(col(Call.project_id) == project.id)
                                    .order_by(col(Call.id).desc()))).all())
        lead = proposals.get(project.proposal_id) or await db.get(Proposal, project.proposal_id)
        assert lead is not None
        everyone = list((await db.exec(select(StaffUser))).all())
        # The project's history: the events of its proposal (introductions, the project,
        # calls, story steps) — not contact entries or notes, which stay on the case page.
        events = [e for e in await timeline(db, lead, everyone) if e.kind == "event"]
        return render(
            self.request, "admin/projects/detail.html", status=status, staff=staff,
            project=project, lead=lead, members=members, proposals=proposals,
            collaborators=collaborators, calls=calls,
            answers=await pj.answers_by_call(db, [c.id or 0 for c in calls]), events=events,
            can_manage=allowed(staff.role, Permission.COLLABORATOR_MANAGE),
            can_write_story=allowed(staff.role, Permission.STORY_WRITE),
            errors={k: _(ALL[v]) for k, v in (errors or {}).items()},
            values=values or {}, categories=list(CATEGORY_LABELS.items()),
            wards=list(WARD_LABELS.items()), category_labels=CATEGORY_LABELS,
            ward_labels=WARD_LABELS,
        )


def provide_project_page(request: AnyRequest, db_session: DB, cipher: Cipher, audit: Audit,
                         staff: Staff) -> ProjectPage:
    return ProjectPage(request, db_session, cipher, audit, staff)


Page = NamedDependency[ProjectPage]


class ProjectController(StaffController):
    path = "/admin/projects"
    dependencies = {  # noqa: RUF012
        **StaffController.dependencies,
        "page": Provide(provide_project_page, sync_to_thread=False),
    }

    @get("/", name="admin.projects.list", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB, staff: Staff) -> Template:
        rows = (await db_session.exec(
            select(Project, Proposal).join(Proposal, col(Proposal.id) == col(
                Project.proposal_id)).order_by(col(Project.id).desc()).limit(200))).all()
        open_calls = (await db_session.exec(select(Call.project_id).where(
            col(Call.status) == CallStatus.OPEN))).all()
        return render(request, "admin/projects/list.html", staff=staff,
                      projects=rows, open_calls=set(open_calls))

    @post("/from-proposal/{proposal_id:int}", name="admin.projects.form", opt=MANAGE)
    async def form(self, proposal_id: FromPath[int], db_session: DB, audit: Audit,
                   actor: StaffActor) -> Redirect:
        proposal = await proposal_or_404(db_session, proposal_id)
        try:
            project = await pj.form_project(db_session, audit, proposal, actor)
        except DomainError as exc:
            # The button is shown only on open, verified cases; anything else is a stale page.
            raise ClientException(detail=exc.code) from exc
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

    @get("/{project_id:int}", name="admin.projects.detail", opt=READ)
    async def detail(self, project_id: FromPath[int], db_session: DB, page: Page) -> Template:
        return await page.show(await project_or_404(db_session, project_id))

    @post("/{project_id:int}/members", name="admin.projects.member", opt=MANAGE)
    async def member(self, request: AnyRequest, project_id: FromPath[int], db_session: DB,
                     page: Page, actor: StaffActor) -> Template | Redirect:
        project = await project_or_404(db_session, project_id)
        form = await form_fields(request)
        try:
            await pj.add_member(db_session, page.audit, project, actor,
                                proposal_ref=form.get("proposal_ref", "")[:20],
                                collaborator_ref=form.get("collaborator_ref", "")[:20])
        except DomainError as exc:
            return await page.show(project, 400, {exc.field or "member": exc.code})
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

    @post("/{project_id:int}/calls", name="admin.projects.call", opt=MANAGE)
    async def call(self, request: AnyRequest, project_id: FromPath[int], db_session: DB,
                   page: Page, actor: StaffActor) -> Template | Redirect:
        project = await project_or_404(db_session, project_id)
        form = await form_fields(request)
        known = await pj.member_values(db_session, page.cipher, project)
        data, errors = pj.validate_call(form, known)
        if data is None:
            values = {k: form.get(k, "") for k in ("title", "needed", "category", "ward")}
            return await page.show(project, 422, errors, values)
        await pj.open_call(db_session, page.audit, project, data, actor)
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)

    @post("/{project_id:int}/calls/{call_id:int}/close", name="admin.projects.call_close",
          opt=MANAGE)
    async def close(self, project_id: FromPath[int], call_id: FromPath[int], db_session: DB,
                    page: Page, actor: StaffActor) -> Template | Redirect:
        project = await project_or_404(db_session, project_id)
        call = await db_session.get(Call, call_id) if 1 <= call_id <= MAX_ID else None
        if call is None or call.project_id != project.id:
            raise NotFoundException()
        try:
            await pj.close_call(db_session, page.audit, project, call, actor)
        except DomainError as exc:
            return await page.show(project, 400, {"call": exc.code})
        return Redirect(path=f"/admin/projects/{project.id}", status_code=303)
