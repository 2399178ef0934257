"""Staff accounts and their server-side sessions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from admin.permissions import Role
from core.db import enum_field
from intake.models import ProposalStatus


class Stage(StrEnum):
    """How far a sign-in has come: password checked (second factor next), second factor to
    set up first, or a full session."""

    PASSWORD = "password"  # noqa: S105 - a sign-in stage, not a secret
    ENROL = "enrol"
    FULL = "full"


class StaffUser(SQLModel, table=True):
    """A member of the secretariat (city or contractor staff)."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=100)
    organisation: str = Field(max_length=100)
    role: Role = enum_field(Role, 16)
    active: bool = True
    password_hash: str = Field(max_length=200)
    must_change_password: bool = True
    totp_secret_enc: str | None = None
    totp_required: bool = False
    totp_last_step: int | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime
    password_changed_at: datetime | None = None


class StaffSession(SQLModel, table=True):
    """A login. The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "staff_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", ondelete="CASCADE", index=True)
    stage: Stage = enum_field(Stage, 16)
    created_at: datetime
    last_seen_at: datetime


class ProposalTransition(SQLModel, table=True):
    """One status change of a proposal: who, when, from, to, why."""

    __tablename__ = "proposal_transition"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    from_status: ProposalStatus = enum_field(ProposalStatus, 16)
    to_status: ProposalStatus = enum_field(ProposalStatus, 16)
    reason: str = Field(default="", max_length=500)
    at: datetime


class ContactEntry(SQLModel, table=True):
    """A contact with the applicant (聞き取り)."""

    __tablename__ = "contact_entry"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    staff_id: int = Field(foreign_key="staff_user.id")
    channel: str = Field(max_length=16)
    at: datetime
    outcome: str = Field(max_length=32)
    summary: str = Field(default="", max_length=2000)
    next_action_on: date | None = None


class CaseNote(SQLModel, table=True):
    """An internal note on a case, for the secretariat only."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    staff_id: int = Field(foreign_key="staff_user.id")
    at: datetime
    text: str = Field(max_length=2000)


class RightsKind(StrEnum):
    """The rights a person may exercise (個人情報保護法: 開示・訂正・利用停止・消去)."""

    DISCLOSURE = "disclosure"
    CORRECTION = "correction"
    WITHDRAWAL = "withdrawal"
    ERASURE = "erasure"


class RightsStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    REFUSED = "refused"


class RightsRequest(SQLModel, table=True):
    """A request about someone's own data that arrived by phone, letter or at the counter,
    with the checks and the 30-day answer the law asks for. Carried out with the same
    functions as the self-service pages (/my)."""

    __tablename__ = "rights_request"

    id: int | None = Field(default=None, primary_key=True)
    kind: RightsKind = enum_field(RightsKind, 16)
    subject_type: str = Field(max_length=16)  # "proposal" or "collaborator"
    subject_id: int
    subject_ref: str = Field(max_length=16)
    channel: str = Field(max_length=16)  # phone, letter, counter, email
    identity_check: str = Field(max_length=32)
    received_on: date
    due_on: date = Field(index=True)
    status: RightsStatus = enum_field(RightsStatus, 16, default=RightsStatus.OPEN, index=True)
    outcome: str = Field(default="", max_length=32)
    created_by_id: int = Field(foreign_key="staff_user.id")
    created_at: datetime
    closed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    closed_at: datetime | None = None
