"""Projects (チーム) formed from a proposal, and their public calls for help (協力者募集).

A project grows out of one proposal (its lead). Its members are that applicant, the
collaborators introduced to it, and often other applicants. A call for help is written by a
coordinator for the public site — title, what is needed, category, ward — and must hold no
personal data: text with an email address or a phone number is refused. "協力したい" on a
call leads to /collaborate?call=N, and the registration remembers the call, so the
project page shows who answered which call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import StaffUser
from admin.services import actor_of
from admin.workflow import CLOSED
from core.audit import AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from intake.models import Proposal
from intake.validation import CATEGORIES, WARDS
from matching.introductions import Match
from matching.models import Collaborator
from publishing import personal_data as pd

MEMBER_KINDS = ("applicant", "collaborator")
CALL_TITLE_MAX = 80
CALL_NEEDED_MAX = 1000
PAGE = 20



class Project(SQLModel, table=True):
    """A team formed around one proposal."""

    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", unique=True)
    created_by_id: int = Field(foreign_key="staff_user.id")
    created_at: datetime


class ProjectMember(SQLModel, table=True):
    """An applicant (through their proposal) or a collaborator in a project."""

    __tablename__ = "project_member"
    __table_args__ = (
        UniqueConstraint("project_id", "proposal_id"),
        UniqueConstraint("project_id", "collaborator_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", ondelete="CASCADE")
    collaborator_id: int | None = Field(
        default=None, foreign_key="collaborator.id", ondelete="CASCADE"
    )
    added_at: datetime


class Call(SQLModel, table=True):
    """A public call for help (協力者募集). Nothing personal: staff-written text only."""

    __tablename__ = "help_call"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=CALL_TITLE_MAX)
    needed: str = Field(max_length=CALL_NEEDED_MAX)
    category: str = Field(max_length=32)
    ward: str | None = Field(default=None, max_length=16)
    status: str = Field(default="open", max_length=16, index=True)
    opened_at: datetime
    closed_at: datetime | None = None


class ProjectError(ValueError):
    def __init__(self, code: str, field: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def _detail(project: Project, extra: str = "") -> str:
    return f"project={project.id}" + (f" {extra}" if extra else "")


async def project_of(db: AsyncSession, proposal_id: int) -> Project | None:
    return (await db.exec(select(Project).where(col(Project.proposal_id) == proposal_id))).first()


async def form_project(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, staff: StaffUser, ip: str = ""
) -> Project:
    """A team around a proposal: its applicant, plus every collaborator already introduced."""
    if proposal.status in CLOSED or proposal.verified_at is None:
        raise ProjectError("project_proposal_closed")
    existing = await project_of(db, proposal.id or 0)
    if existing is not None:
        return existing
    now = utcnow()
    project = Project(proposal_id=proposal.id or 0, created_by_id=staff.id or 0, created_at=now)
    db.add(project)
    await db.flush()
    db.add(ProjectMember(project_id=project.id or 0, kind="applicant",
                         proposal_id=proposal.id, added_at=now))
    introduced = await db.exec(
        select(Match.collaborator_id).where(
            col(Match.proposal_id) == proposal.id, col(Match.status) == "introduced"
        )
    )
    for collaborator_id in introduced.all():
        db.add(ProjectMember(project_id=project.id or 0, kind="collaborator",
                             collaborator_id=collaborator_id, added_at=now))
    await audit.record(db, "project.formed", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="proposal",
                       object_id=proposal.id or "", detail=_detail(project), ip=ip, now=now)
    return project


async def add_member(
    db: AsyncSession,
    audit: AuditLog,
    project: Project,
    staff: StaffUser,
    *,
    proposal_ref: str = "",
    collaborator_ref: str = "",
    ip: str = "",
) -> ProjectMember:
    """Add another applicant (by their proposal's reference) or a collaborator (by theirs).
    A collaborator must have been introduced to the project's proposal first: contact
    details never move without both sides' consent."""
    now = utcnow()
    if proposal_ref:
        other = (await db.exec(select(Proposal).where(
            col(Proposal.ref) == proposal_ref.strip().upper()))).first()
        if other is None or other.verified_at is None or other.status == "spam":
            raise ProjectError("member_unknown", "proposal_ref")
        member = ProjectMember(project_id=project.id or 0, kind="applicant",
                               proposal_id=other.id, added_at=now)
        detail = f"proposal={other.ref}"
        duplicate = col(ProjectMember.proposal_id) == other.id
    elif collaborator_ref:
        collaborator = (await db.exec(select(Collaborator).where(
            col(Collaborator.ref) == collaborator_ref.strip().upper()))).first()
        if collaborator is None:
            raise ProjectError("member_unknown", "collaborator_ref")
        introduced = (await db.exec(select(Match.id).where(
            col(Match.proposal_id) == project.proposal_id,
            col(Match.collaborator_id) == collaborator.id,
            col(Match.status) == "introduced"))).first()
        if introduced is None:
            raise ProjectError("member_not_introduced", "collaborator_ref")
        member = ProjectMember(project_id=project.id or 0, kind="collaborator",
                               collaborator_id=collaborator.id, added_at=now)
        detail = f"collaborator={collaborator.ref}"
        duplicate = col(ProjectMember.collaborator_id) == collaborator.id
    else:
        raise ProjectError("member_unknown", "proposal_ref")
    exists = (await db.exec(select(ProjectMember.id).where(
        col(ProjectMember.project_id) == project.id, duplicate))).first()
    if exists is not None:
        raise ProjectError("member_exists")
    db.add(member)
    await audit.record(db, "project.member_added", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="proposal",
                       object_id=project.proposal_id, detail=_detail(project, detail), ip=ip,
                       now=now)
    return member


def personal_data_in(text: str, known: list[pd.Known] | None = None) -> bool:
    """An email address, something that reads as a phone number, a social-network account
    or LINE ID, or a contact value of one of the project's members."""
    return bool(pd.find({"text": text}, known or []))


async def member_values(db: AsyncSession, cipher: FieldCipher, project: Project) -> list[pd.Known]:
    """The project members' own names and contact values, as patterns (never shown)."""
    members = (await db.exec(select(ProjectMember).where(
        col(ProjectMember.project_id) == project.id))).all()
    known: list[pd.Known] = []
    for member in members:
        if member.proposal_id:
            proposal = await db.get(Proposal, member.proposal_id)
            if proposal is not None:
                known += pd.proposal_values(cipher, proposal, "member")
        elif member.collaborator_id:
            collaborator = await db.get(Collaborator, member.collaborator_id)
            if collaborator is not None:
                known += pd.collaborator_values(cipher, collaborator)
    return known


@dataclass(frozen=True)
class CallInput:
    title: str
    needed: str
    category: str
    ward: str | None


def validate_call(
    form: dict[str, str], known: list[pd.Known] | None = None
) -> tuple[CallInput | None, dict[str, str]]:
    """Field → message key; a call is public, so personal data in it is refused."""
    title = form.get("title", "").strip()
    needed = form.get("needed", "").replace("\r\n", "\n").strip()
    category = form.get("category", "")
    ward = form.get("ward", "") or None
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "call_title_required"
    elif len(title) > CALL_TITLE_MAX:
        errors["title"] = "call_title_too_long"
    if not needed:
        errors["needed"] = "call_needed_required"
    elif len(needed) > CALL_NEEDED_MAX:
        errors["needed"] = "call_needed_too_long"
    for name, value in (("title", title), ("needed", needed)):
        if name not in errors and personal_data_in(value, known):
            errors[name] = "call_personal_data"
    if category not in CATEGORIES:
        errors["category"] = "call_category_invalid"
    if ward is not None and ward not in (*WARDS, "citywide"):
        errors["ward"] = "call_ward_invalid"
    if errors:
        return None, errors
    return CallInput(title, needed, category, ward), {}


async def open_call(
    db: AsyncSession, audit: AuditLog, project: Project, data: CallInput, staff: StaffUser,
    ip: str = "",
) -> Call:
    now = utcnow()
    call = Call(project_id=project.id or 0, title=data.title, needed=data.needed,
                category=data.category, ward=data.ward, status="open", opened_at=now)
    db.add(call)
    await db.flush()
    await audit.record(db, "call.opened", actor=actor_of(staff), organisation=staff.organisation,
                       object_type="proposal", object_id=project.proposal_id,
                       detail=_detail(project, f"call={call.id}"), ip=ip, now=now)
    return call


async def close_call(
    db: AsyncSession, audit: AuditLog, project: Project, call: Call, staff: StaffUser,
    ip: str = "",
) -> None:
    if call.status != "open":
        raise ProjectError("call_closed")
    now = utcnow()
    call.status, call.closed_at = "closed", now
    db.add(call)
    await audit.record(db, "call.closed", actor=actor_of(staff), organisation=staff.organisation,
                       object_type="proposal", object_id=project.proposal_id,
                       detail=_detail(project, f"call={call.id}"), ip=ip, now=now)


async def open_calls(
    db: AsyncSession, *, category: str = "", ward: str = "", before: int | None = None
) -> tuple[list[Call], bool]:
    """Open calls, newest first, a page at a time (keyset on id); True when more follow."""
    query = select(Call).where(col(Call.status) == "open")
    if category:
        query = query.where(col(Call.category) == category)
    if ward:
        query = query.where(col(Call.ward) == ward)
    if before:
        query = query.where(col(Call.id) < before)
    rows = list((await db.exec(query.order_by(col(Call.id).desc()).limit(PAGE + 1))).all())
    return rows[:PAGE], len(rows) > PAGE


async def answers_by_call(db: AsyncSession, call_ids: list[int]) -> dict[int, list[Collaborator]]:
    """Verified registrations that came through each call."""
    if not call_ids:
        return {}
    rows = await db.exec(
        select(Collaborator)
        .where(col(Collaborator.call_id).in_(call_ids), col(Collaborator.status) != "unverified")
        .order_by(col(Collaborator.id))
    )
    answers: dict[int, list[Collaborator]] = {cid: [] for cid in call_ids}
    for collaborator in rows.all():
        answers.setdefault(collaborator.call_id or 0, []).append(collaborator)
    return answers


async def project_count(db: AsyncSession) -> int:
    return int((await db.exec(select(func.count()).select_from(Project))).one())
