"""The outbox: emails written in the caller's transaction and delivered after commit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from core.db import enum_field


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker, leased until `claimed_until`
    SENT = "sent"
    FAILED = "failed"  # refused for good, or given up after three days


class OutboxMessage(SQLModel, table=True):
    """One email to send. Recipient and context are encrypted and erased once sent;
    the row stays as a delivery record."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=64)
    locale: str = Field(max_length=8)
    recipient_enc: str | None = None
    context_enc: str | None = None
    message_id: str = Field(max_length=200, unique=True)
    status: OutboxStatus = enum_field(OutboxStatus, 16, default=OutboxStatus.PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(index=True)
    claimed_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime
    sent_at: datetime | None = None
    # The record the email is about (as in the audit log: `proposal`, 12), so an email still
    # queued is withdrawn with its record: a purged proposal's confirmation link leads nowhere.
    object_type: str | None = Field(default=None, max_length=32)
    object_id: int | None = None
