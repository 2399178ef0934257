"""Stories (情報発信) about projects that came true, and their photos.

Workflow (publishing/workflow.py owns the transitions):

    draft → in_review → approved → consent_requested → consented → published
                 ↑          │              │                          │
                 └──────────┴── changes_requested (reviewer or applicant asked for changes)
    published → unpublished (editor, any time) ; consent withdrawn → unpublished at once

`body_html` is the Markdown body rendered and sanitised when it is saved, so public pages
serve stored HTML. `version` increases with every change that shows on the public page
(ETags are built from it)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary
from sqlmodel import Field, SQLModel

from core.db import enum_field


class StoryStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    CONSENT_REQUESTED = "consent_requested"
    CONSENTED = "consented"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


STORY_STATUSES = tuple(StoryStatus)
TITLE_MAX = 100
SLUG_MAX = 80
SUMMARY_MAX = 300
BODY_MAX = 20_000
ALT_MAX = 200
PHOTO_MAX_BYTES = 5 * 1024 * 1024


class Story(SQLModel, table=True):
    """A story about a project (or a proposal). Never holds contact data."""

    __tablename__ = "story"
    __table_args__ = (
        # The public list: published stories, newest first, filtered by category or ward.
        Index("ix_story_status_published_at", "status", "published_at"),
        Index("ix_story_category_published_at", "category", "published_at"),
        Index("ix_story_ward_published_at", "ward", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", ondelete="SET NULL")
    slug: str = Field(max_length=SLUG_MAX, unique=True)
    title: str = Field(max_length=TITLE_MAX)
    summary: str = Field(max_length=SUMMARY_MAX)
    body_md: str = Field(max_length=BODY_MAX)
    body_html: str
    category: str = Field(max_length=32)
    ward: str | None = Field(default=None, max_length=16)
    status: StoryStatus = enum_field(StoryStatus, 24, default=StoryStatus.DRAFT)
    author_id: int = Field(foreign_key="staff_user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # SHA-256 of the applicant's private preview/consent link, while consent is asked for.
    consent_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # SHA-256 of the link in the "published" email that withdraws consent at any time.
    withdraw_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    consent_requested_at: datetime | None = None
    consented_at: datetime | None = None
    consent_withdrawn_at: datetime | None = None
    # What the applicant asked to change (their words; shown to staff, never published).
    change_request: str = Field(default="", max_length=2000)
    # Who asked for the changes: "applicant" (from the consent page) or "reviewer".
    change_request_by: str = Field(default="", max_length=16)
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    version: int = 1


class StoryPhoto(SQLModel, table=True):
    """A photo re-encoded on upload (no EXIF, no GPS), stored in the database so every
    instance serves the same bytes."""

    __tablename__ = "story_photo"

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE", index=True)
    position: int = 0
    alt: str = Field(max_length=ALT_MAX)
    mime: str = Field(max_length=32)
    width: int
    height: int
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime
