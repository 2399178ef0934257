"""Projects (チーム) formed from a proposal, and their public calls for help (協力者募集).

A project grows out of one proposal (its lead). Its members are that applicant, the
collaborators introduced to it, and often other applicants. A call for help is written by a
coordinator for the public site — title, what is needed, category, ward — and must hold no
personal data: text with an email address or a phone number is refused. "協力したい" on a
call leads to /collaborate?call=N, and the registration remembers the call, so the
project page shows who answered which call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.workflow import CLOSED
from core.audit import Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.errors import DomainError
from core.redaction import Known, find
from intake.contact import collaborator_values, proposal_values
from intake.models import Collaborator, CollaboratorStatus, Proposal, ProposalStatus
from intake.vocabulary import CATEGORIES, WARDS
from matching.models import (
    CALL_NEEDED_MAX,
    CALL_TITLE_MAX,
    Call,
    CallStatus,
    Match,
    MatchStatus,
    MemberKind,
    Project,
    ProjectMember,
)

PAGE = 20



def _detail(project: Project, extra: str = "") -> str:
    return f"project={project.id}" + (f" {extra}" if extra else "")


async def project_of(db: AsyncSession, proposal_id: int) -> Project | None:
    return (await db.exec(select(Project).where(col(Project.proposal_id) == proposal_id))).first()


async def form_project(
    db: AsyncSession, audit: AuditLog, proposal: Proposal, actor: Actor
) -> Project:
    """A team around a proposal: its applicant, plus every collaborator already introduced."""
    if proposal.status in CLOSED or proposal.verified_at is None:
        raise DomainError("project_proposal_closed")
    existing = await project_of(db, proposal.id or 0)
    if existing is not None:
        return existing
    now = utcnow()
    project = Project(proposal_id=proposal.id or 0, created_by_id=actor.staff_id or 0,
                      created_at=now)
    db.add(project)
    await db.flush()
    db.add(ProjectMember(project_id=project.id or 0, kind=MemberKind.APPLICANT,
                         proposal_id=proposal.id, added_at=now))
    introduced = await db.exec(
        select(Match.collaborator_id).where(
            col(Match.proposal_id) == proposal.id, col(Match.status) == MatchStatus.INTRODUCED
        )
    )
    for collaborator_id in introduced.all():
        db.add(ProjectMember(project_id=project.id or 0, kind=MemberKind.COLLABORATOR,
                             collaborator_id=collaborator_id, added_at=now))
    await audit.record(db, "project.formed", actor, object_type="proposal",
                       object_id=proposal.id or "", detail=_detail(project), now=now)
    return project


async def _applicant(db: AsyncSession, project: Project, ref: str
                     ) -> tuple[ProjectMember, str, ColumnElement[bool]]:
    other = (await db.exec(select(Proposal).where(
        col(Proposal.ref) == ref.strip().upper()))).first()
    if other is None or other.verified_at is None or other.status == ProposalStatus.SPAM:
        raise DomainError("member_unknown", "proposal_ref")
    member = ProjectMember(project_id=project.id or 0, kind=MemberKind.APPLICANT,
                           proposal_id=other.id, added_at=utcnow())
    return member, f"proposal={other.ref}", col(ProjectMember.proposal_id) == other.id


async def _collaborator(db: AsyncSession, project: Project, ref: str
                        ) -> tuple[ProjectMember, str, ColumnElement[bool]]:
    collaborator = (await db.exec(select(Collaborator).where(
        col(Collaborator.ref) == ref.strip().upper()))).first()
    if collaborator is None:
        raise DomainError("member_unknown", "collaborator_ref")
    introduced = (await db.exec(select(Match.id).where(
        col(Match.proposal_id) == project.proposal_id,
        col(Match.collaborator_id) == collaborator.id,
        col(Match.status) == MatchStatus.INTRODUCED))).first()
    if introduced is None:
        raise DomainError("member_not_introduced", "collaborator_ref")
    member = ProjectMember(project_id=project.id or 0, kind=MemberKind.COLLABORATOR,
                           collaborator_id=collaborator.id, added_at=utcnow())
    return (member, f"collaborator={collaborator.ref}",
            col(ProjectMember.collaborator_id) == collaborator.id)


async def add_member(
    db: AsyncSession,
    audit: AuditLog,
    project: Project,
    actor: Actor,
    *,
    proposal_ref: str = "",
    collaborator_ref: str = "",
) -> ProjectMember:
    """Add another applicant (by their proposal's reference) or a collaborator (by theirs).
    A collaborator must have been introduced to the project's proposal first: contact
    details never move without both sides' consent."""
    if proposal_ref:
        member, detail, duplicate = await _applicant(db, project, proposal_ref)
    elif collaborator_ref:
        member, detail, duplicate = await _collaborator(db, project, collaborator_ref)
    else:
        raise DomainError("member_unknown", "proposal_ref")
    exists = (await db.exec(select(ProjectMember.id).where(
        col(ProjectMember.project_id) == project.id, duplicate))).first()
    if exists is not None:
        raise DomainError("member_exists", "member")
    db.add(member)
    await audit.record(db, "project.member_added", actor, object_type="proposal",
                       object_id=project.proposal_id, detail=_detail(project, detail),
                       now=member.added_at)
    return member


def personal_data_in(text: str, known: list[Known] | None = None) -> bool:
    """An email address, something that reads as a phone number, a social-network account
    or LINE ID, or a contact value of one of the project's members."""
    return bool(find({"text": text}, known or []))


async def member_values(db: AsyncSession, cipher: FieldCipher, project: Project) -> list[Known]:
    """The project members' own names and contact values, as patterns (never shown)."""
    members = (await db.exec(select(ProjectMember).where(
        col(ProjectMember.project_id) == project.id))).all()
    known: list[Known] = []
    for member in members:
        if member.proposal_id:
            proposal = await db.get(Proposal, member.proposal_id)
            if proposal is not None:
                known += proposal_values(cipher, proposal, "member")
        elif member.collaborator_id:
            collaborator = await db.get(Collaborator, member.collaborator_id)
            if collaborator is not None:
                known += collaborator_values(cipher, collaborator)
    return known


@dataclass(frozen=True)
class CallInput:
    title: str
    needed: str
    category: str
    ward: str | None


def validate_call(
    form: dict[str, str], known: list[Known] | None = None
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
    db: AsyncSession, audit: AuditLog, project: Project, data: CallInput, actor: Actor,
) -> Call:
    now = utcnow()
    call = Call(project_id=project.id or 0, title=data.title, needed=data.needed,
                category=data.category, ward=data.ward, status=CallStatus.OPEN, opened_at=now)
    db.add(call)
    await db.flush()
    await audit.record(db, "call.opened", actor, object_type="proposal",
                       object_id=project.proposal_id, detail=_detail(project, f"call={call.id}"),
                       now=now)
    return call


async def close_call(
    db: AsyncSession, audit: AuditLog, project: Project, call: Call, actor: Actor,
) -> None:
    if call.status != CallStatus.OPEN:
        raise DomainError("call_closed", "call")
    now = utcnow()
    call.status, call.closed_at = CallStatus.CLOSED, now
    db.add(call)
    await audit.record(db, "call.closed", actor, object_type="proposal",
                       object_id=project.proposal_id, detail=_detail(project, f"call={call.id}"),
                       now=now)


async def open_calls(
    db: AsyncSession, *, category: str = "", ward: str = "", before: int | None = None
) -> tuple[list[Call], bool]:
    """Open calls, newest first, a page at a time (keyset on id); True when more follow."""
    query = select(Call).where(col(Call.status) == CallStatus.OPEN)
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
        .where(col(Collaborator.call_id).in_(call_ids),
               col(Collaborator.status) != CollaboratorStatus.UNVERIFIED)
        .order_by(col(Collaborator.id))
    )
    answers: dict[int, list[Collaborator]] = {cid: [] for cid in call_ids}
    for collaborator in rows.all():
        answers.setdefault(collaborator.call_id or 0, []).append(collaborator)
    return answers


async def project_count(db: AsyncSession) -> int:
    return int((await db.exec(select(func.count()).select_from(Project))).one())
