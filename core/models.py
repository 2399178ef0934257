"""core's tables: the audit chain (core/audit.py writes and verifies it), the per-record data
keys and the tombstones of destroyed ones (core/record_keys.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    """One accountable action. `detail` is never personal data or free text from people."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: int = Field(primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=64)
    organisation: str = Field(default="", max_length=100)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(default="", max_length=32)
    object_id: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=500)
    ip: str = Field(default="", max_length=64)
    prev_mac: str = Field(max_length=64)
    mac: str = Field(max_length=64)
    # Once the address is past its retention (core/audit.py `erase_addresses`): a keyed digest
    # of it, and a MAC over the entry with that digest in its place, so the entry still
    # verifies without the address and nothing else about it can change.
    ip_digest: str = Field(default="", max_length=64)
    mac_erased: str = Field(default="", max_length=64)


class RecordKey(SQLModel, table=True):
    """The data key of one person's record (a proposal or a collaborator), sealed under
    OUEN_DATA_KEYS (`FieldCipher.new_record`). Their contact data is encrypted under it;
    deleting this row is the erasure that no copy of the database survives (crypto-
    shredding). Kept apart from the records so backups can keep keys apart too."""

    __tablename__ = "record_key"

    id: str = Field(primary_key=True, max_length=32)
    wrapped: str = Field(max_length=200)
    created_at: datetime


class ErasedKey(SQLModel, table=True):
    """The id of a record key that was destroyed, and when: what a restored backup, which
    still holds the key, is replayed against (core/record_keys.py, `ouen restore`). Holds no
    personal data: the id is random."""

    __tablename__ = "erased_key"

    id: str = Field(primary_key=True, max_length=32)
    erased_at: datetime
