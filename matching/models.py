"""Tables of matching: introductions between a proposal and a collaborator, projects (チーム)
formed around a proposal with their members, and public calls for help (協力者募集)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import enum_field

CALL_TITLE_MAX = 80
CALL_NEEDED_MAX = 1000


class MatchStatus(StrEnum):
    """An introduction's steps (matching/introductions.py draws the machine)."""

    PROPOSED = "proposed"
    COLLABORATOR_ACCEPTED = "collaborator_accepted"
    INTRODUCED = "introduced"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


OPEN_STATES = (MatchStatus.PROPOSED, MatchStatus.COLLABORATOR_ACCEPTED)


class CallStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MemberKind(StrEnum):
    APPLICANT = "applicant"
    COLLABORATOR = "collaborator"


class Match(SQLModel, table=True):
    """One proposed introduction between a proposal and a collaborator."""

    __tablename__ = "introduction"  # one row per attempted introduction
    __table_args__ = (UniqueConstraint("proposal_id", "collaborator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    collaborator_id: int = Field(foreign_key="collaborator.id", ondelete="CASCADE", index=True)
    coordinator_id: int = Field(foreign_key="staff_user.id")
    status: MatchStatus = enum_field(MatchStatus, 24, index=True)
    declined_by: str | None = Field(default=None, max_length=16)
    score: float = 0.0
    # SHA-256 of the link sent to whoever is asked now; cleared once they answer.
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    asked_at: datetime  # when the current side was asked (reminder and expiry count from it)
    reminded_at: datetime | None = None
    proposed_at: datetime
    collaborator_answered_at: datetime | None = None
    applicant_answered_at: datetime | None = None
    closed_at: datetime | None = None
    over_capacity: bool = False


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
    kind: MemberKind = enum_field(MemberKind, 16)
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
    status: CallStatus = enum_field(CallStatus, 16, default=CallStatus.OPEN, index=True)
    opened_at: datetime
    closed_at: datetime | None = None
