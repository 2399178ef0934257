"""Tables of the collaborator pool (協力者). Field names follow the matching engine's data
shape; contact data (display name, email, phone) is stored encrypted like applicants'."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

ORG_TYPES = (
    "individual",
    "npo",
    "business",
    "student_group",
    "neighbourhood_association",
    "welfare_facility",
    "school",
    "company",
    "other",
)
AVAILABILITIES = ("anytime", "weekdays", "weekends", "evenings")
OFFER_SUGGESTIONS = (
    "会場提供",
    "配送",
    "送迎",
    "人手",
    "物資提供",
    "寄付",
    "広報",
    "翻訳",
    "IT支援",
    "専門知識",
    "調理",
)
STATUSES = ("unverified", "active", "paused", "retired")
CAPACITY_MIN, CAPACITY_MAX = 1, 20
OFFER_MAX_LENGTH, OFFERS_MAX = 30, 15
INTRO_MAX = 2000


class JSONList(TypeDecorator[list[str]]):
    """A list of strings as JSON text: the same column on SQLite and PostgreSQL, readable
    with LIKE (non-ASCII kept as is, so `"配送"` in the text is the tag itself)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [str(item) for item in json.loads(value)]


class Collaborator(SQLModel, table=True):
    """Someone who offers help to proposals: a person, a group, a shop or a company."""

    __tablename__ = "collaborator"
    # (filter, id) pairs for the staff list, which pages by id (see ix_proposal_status_id).
    __table_args__ = (
        Index("ix_collaborator_status_id", "status", "id"),
        Index("ix_collaborator_availability_id", "availability", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True, index=True)
    status: str = Field(max_length=16)
    display_name_enc: str
    org_name: str | None = Field(default=None, max_length=100)
    org_type: str = Field(max_length=32)
    email_enc: str
    email_bidx: str = Field(max_length=64, index=True)
    phone_enc: str
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
    # A public call for help (協力者募集) this registration answered; no FK until calls exist.
    call_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(index=True)
    updated_at: datetime
    verified_at: datetime | None = None
