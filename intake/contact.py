"""A person's contact data: sealed under their record's own key when stored, opened for a
stated use, and turned into patterns (core/redaction.py) to find in text they or staff
wrote — those patterns are never shown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.crypto import FieldCipher, RecordCipher
from core.redaction import Known, known_values
from intake.models import Collaborator, Proposal

PROPOSAL_FIELDS = ("nickname", "email", "phone", "website_url", "facebook_url", "twitter")
COLLABORATOR_FIELDS = ("display_name", "email", "phone")
Person = Proposal | Collaborator


def fields_of(record: Person) -> tuple[str, ...]:
    return PROPOSAL_FIELDS if isinstance(record, Proposal) else COLLABORATOR_FIELDS


def sealed(cipher: FieldCipher, values: Mapping[str, str | None], now: datetime
           ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new record key (its `record_key` row) and the `<field>_enc` columns of `values`
    sealed under it (empty values stay NULL), with the row's `key_id`."""
    key_id, wrapped, record = cipher.new_record()
    columns: dict[str, Any] = {f"{name}_enc": record.seal(name, value) if value else None
                               for name, value in values.items()}
    columns["key_id"] = key_id
    return {"id": key_id, "wrapped": wrapped, "created_at": now}, columns


def record_cipher(cipher: FieldCipher, record: Person) -> RecordCipher | None:
    """The cipher of the record's key, or None once the key is gone (erased)."""
    key = record.key
    return cipher.record(record.key_id, key.wrapped if key is not None else None)


def contact_value(cipher: FieldCipher, record: Person, field: str) -> str | None:
    """One contact value in clear, or None (empty, erased, or unreadable)."""
    token = getattr(record, f"{field}_enc", None)
    opened = record_cipher(cipher, record) if token else None
    if opened is None or token is None:
        return None
    try:
        return opened.open(field, token)
    except ValueError:
        return None


def contact_values(cipher: FieldCipher, record: Person) -> dict[str, str | None]:
    return {name: contact_value(cipher, record, name) for name in fields_of(record)}


def proposal_values(cipher: FieldCipher, proposal: Proposal, who: str) -> list[Known]:
    values = contact_values(cipher, proposal)
    return known_values(who, [
        ("nickname", values["nickname"]), ("email", values["email"]),
        ("phone", values["phone"]), ("website", values["website_url"]),
        ("facebook", values["facebook_url"]), ("twitter", values["twitter"]),
    ])


def collaborator_values(cipher: FieldCipher, collaborator: Collaborator) -> list[Known]:
    values = contact_values(cipher, collaborator)
    return known_values("member", [
        ("nickname", values["display_name"]), ("email", values["email"]),
        ("phone", values["phone"]),
    ])
