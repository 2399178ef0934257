"""Tables of the people who come to us: proposals (応援したいこと), collaborators (協力者) and
the email-verification tokens of both. Contact data (`*_enc`) is sealed under the record's own
key (core.models.RecordKey, itself sealed under OUEN_DATA_KEYS); `email_bidx` is a keyed blind
index for equality lookups. Contact columns are empty once erased."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

from core.db import JSONList, enum_field
from core.models import RecordKey
from intake.vocabulary import INTRO_MAX


class ProposalStatus(StrEnum):
    """Where a proposal stands. The case workflow between them is admin/workflow.py's."""

    UNVERIFIED = "unverified"  # the email link not yet followed (deleted after 48 h)
    NEW = "new"
    IN_CONTACT = "in_contact"
    SEEKING = "seeking"
    MATCHED = "matched"
    ACTIVE = "active"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SPAM = "spam"


class CollaboratorStatus(StrEnum):
    UNVERIFIED = "unverified"
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"


class Proposal(SQLModel, table=True):
    """A proposal of support a citizen wants to give. Contact data is stored encrypted."""

    __tablename__ = "proposal"
    # (filter, id) pairs: the case list filters on one of these and pages by id, so the
    # database can walk one index in id order and stop after a page.
    __table_args__ = (
        Index("ix_proposal_status_id", "status", "id"),
        Index("ix_proposal_category_id", "category", "id"),
        Index("ix_proposal_ward_id", "ward", "id"),
        Index("ix_proposal_assignee_id_id", "assignee_id", "id"),
        # Status with category or ward, the pairs coordinators filter by most: a search
        # within them reads its window from one index range instead of letting the
        # database intersect two large ones (intake/search.py).
        Index("ix_proposal_status_category_id", "status", "category", "id"),
        Index("ix_proposal_status_ward_id", "status", "ward", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True, index=True)
    status: ProposalStatus = enum_field(ProposalStatus, 16)
    category: str = Field(max_length=32)
    ward: str | None = Field(default=None, max_length=16)
    org_name: str | None = Field(default=None, max_length=100)
    catchphrase: str = Field(max_length=60)
    body: str
    nickname_enc: str | None = None
    email_enc: str | None = None
    email_bidx: str | None = Field(default=None, max_length=64, index=True)
    phone_enc: str | None = None
    # The record's own data key (core.models.RecordKey), loaded with the row: contact
    # values open only with it, and are gone for good once it is deleted.
    key_id: str | None = Field(default=None, foreign_key="record_key.id", ondelete="SET NULL",
                               max_length=32, index=True)
    key: RecordKey | None = Relationship(sa_relationship=relationship(RecordKey, lazy="joined"))
    website_url_enc: str | None = None
    facebook_url_enc: str | None = None
    twitter_enc: str | None = None
    locale: str = Field(max_length=8)
    source: str = Field(default="web", max_length=16)
    consent_at: datetime
    consent_method: str = Field(
        default="web_form", max_length=32, sa_column_kwargs={"server_default": "web_form"}
    )
    entered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    policy_version: str = Field(max_length=16)
    created_at: datetime = Field(index=True)
    verified_at: datetime | None = None
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id")
    first_contact_at: datetime | None = None
    # When the case last closed (retention counts from it; reopening clears it), and when its
    # person's data was erased (by retention or on request; what remains is a statistic).
    closed_at: datetime | None = Field(default=None, index=True)
    erased_at: datetime | None = None


class Collaborator(SQLModel, table=True):
    """Someone who offers help to proposals: a person, a group, a shop or a company. Field
    names follow the matching engine's data shape; contact data (display name, email,
    phone) is stored encrypted like applicants'."""

    __tablename__ = "collaborator"
    # (filter, id) pairs for the staff list, which pages by id (see ix_proposal_status_id).
    __table_args__ = (
        Index("ix_collaborator_status_id", "status", "id"),
        Index("ix_collaborator_availability_id", "availability", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True, index=True)
    status: CollaboratorStatus = enum_field(CollaboratorStatus, 16)
    display_name_enc: str | None = None
    org_name: str | None = Field(default=None, max_length=100)
    org_type: str = Field(max_length=32)
    email_enc: str | None = None
    email_bidx: str | None = Field(default=None, max_length=64, index=True)
    phone_enc: str | None = None
    # The record's own data key (core.models.RecordKey), loaded with the row: contact
    # values open only with it, and are gone for good once it is deleted.
    key_id: str | None = Field(default=None, foreign_key="record_key.id", ondelete="SET NULL",
                               max_length=32, index=True)
    key: RecordKey | None = Relationship(sa_relationship=relationship(RecordKey, lazy="joined"))
    categories: list[str] = Field(default_factory=list, sa_type=JSONList)
    wards: list[str] = Field(default_factory=list, sa_type=JSONList)
    offers: list[str] = Field(default_factory=list, sa_type=JSONList)
    availability: str = Field(max_length=16)
    capacity: int = Field(default=1)
    intro: str = Field(max_length=INTRO_MAX)
    locale: str = Field(max_length=8)
    consent_at: datetime
    policy_version: str = Field(max_length=16)
    consent_method: str = Field(default="web_form", max_length=32)
    entered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # A public call for help (協力者募集) this registration answered; no FK: calls are
    # matching's, above this package.
    call_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(index=True)
    updated_at: datetime
    verified_at: datetime | None = None
    # When they retired (retention counts from it; reactivating clears it), and erasure.
    left_at: datetime | None = Field(default=None, index=True)
    erased_at: datetime | None = None


class VerificationToken(SQLModel, table=True):
    """An email-confirmation link for a proposal or a collaborator (exactly one of the two);
    only the SHA-256 of the token is kept."""

    __tablename__ = "verification_token"
    __table_args__ = (
        CheckConstraint(
            "(proposal_id IS NULL) <> (collaborator_id IS NULL)",
            name="ck_verification_token_one_subject",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int | None = Field(
        default=None, foreign_key="proposal.id", ondelete="CASCADE", index=True
    )
    collaborator_id: int | None = Field(
        default=None, foreign_key="collaborator.id", ondelete="CASCADE", index=True
    )
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None


class SelfServiceLink(SQLModel, table=True):
    """A link to /my/{token}, emailed on request to the address of a proposal or a
    collaborator (exactly one of the two): single use, 24 hours; only its SHA-256 is kept."""

    __tablename__ = "self_service_link"
    __table_args__ = (
        CheckConstraint("(proposal_id IS NULL) <> (collaborator_id IS NULL)",
                        name="ck_self_service_link_one_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    proposal_id: int | None = Field(
        default=None, foreign_key="proposal.id", ondelete="CASCADE", index=True)
    collaborator_id: int | None = Field(
        default=None, foreign_key="collaborator.id", ondelete="CASCADE", index=True)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None


class SelfServiceSession(SQLModel, table=True):
    """The short session a used self-service link opens (30 minutes idle): the cookie holds a
    random id, the table its SHA-256."""

    __tablename__ = "self_service_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    proposal_id: int | None = Field(
        default=None, foreign_key="proposal.id", ondelete="CASCADE", index=True)
    collaborator_id: int | None = Field(
        default=None, foreign_key="collaborator.id", ondelete="CASCADE", index=True)
    created_at: datetime
    last_seen_at: datetime = Field(index=True)
