"""Tables of the public intake: proposals (応援したいこと) and email-verification tokens
(for proposals and for collaborators' registrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

import matching.models  # noqa: F401 - registers `collaborator`, a verification_token FK target


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
        # database intersect two large ones (admin/search.py).
        Index("ix_proposal_status_category_id", "status", "category", "id"),
        Index("ix_proposal_status_ward_id", "status", "ward", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True, index=True)
    status: str = Field(max_length=16)
    category: str = Field(max_length=32)
    ward: str | None = Field(default=None, max_length=16)
    org_name: str | None = Field(default=None, max_length=100)
    catchphrase: str = Field(max_length=60)
    body: str
    nickname_enc: str
    email_enc: str
    email_bidx: str = Field(max_length=64, index=True)
    phone_enc: str
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
