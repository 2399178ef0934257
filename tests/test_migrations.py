"""Migrations run up and down on both databases and match the models."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from core.crypto import FieldCipher
from core.db import create_engine
from core.migrate import downgrade, upgrade
from intake.search import is_index_table
from tests.conftest import TABLES


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    """As migrations/env.py: the search index is dialect-specific and not a model."""
    return not (type_ == "table" and is_index_table(name))


def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    async def run() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(
                    c, opts={"include_name": _include_name}), SQLModel.metadata)
            )
        await engine.dispose()
        return names, diff

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    downgrade(database_url, "base")
    names, _ = _tables_and_diff(database_url)
    assert not set(TABLES) & names
    upgrade(database_url)
    names, diff = _tables_and_diff(database_url)
    assert set(TABLES) <= names
    assert diff == [], f"models and migrations differ: {diff}"


FERNET_ROWS = """
INSERT INTO staff_user (id, email, display_name, organisation, role, active, password_hash,
  must_change_password, totp_secret_enc, totp_required, failed_logins, created_at)
VALUES (1, 'a@city.example.jp', 'A', 'City', 'admin', true, '!', false, :totp, true, 0, :now);
INSERT INTO proposal (id, ref, status, category, catchphrase, body, nickname_enc, email_enc,
  email_bidx, phone_enc, twitter_enc, locale, source, consent_at, consent_method,
  policy_version, created_at, verified_at)
VALUES (1, 'OU-OLD-0001', 'new', 'elderly', 'x', 'x', :nick, :email, 'b', :phone, :twitter,
  'ja', 'web', :now, 'web_form', '2026-11-01', :now, :now);
INSERT INTO proposal_transition (proposal_id, from_status, to_status, reason, at)
VALUES (1, 'new', 'in_contact', '', :now);
INSERT INTO verification_token (proposal_id, token_hash, expires_at)
VALUES (1, 'h', :now);
INSERT INTO collaborator (id, ref, status, display_name_enc, org_type, email_enc, email_bidx,
  phone_enc, categories, wards, offers, availability, capacity, intro, locale, consent_at,
  policy_version, consent_method, created_at, updated_at)
VALUES (1, 'CO-OLD-0001', 'active', :helper, 'npo', :email, 'b', :phone, '[]', '[]', '[]',
  'anytime', 1, 'x', 'ja', :now, '2026-11-01', 'web_form', :now, :now);
INSERT INTO outbox_message (template, locale, recipient_enc, context_enc, message_id, status,
  attempts, next_attempt_at, created_at)
VALUES ('proposal_verify', 'ja', :email, :context, '<m1@x>', 'pending', 0, :now, :now)
"""


def test_existing_rows_move_to_record_keys_and_purpose_bound_sealing(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
) -> None:
    """Rows written under the one Fernet key before 0016 keep their values (now sealed per
    record, purpose and row), and no child row is lost when SQLite rebuilds the tables."""
    key = Fernet.generate_key().decode()
    for name, value in {"OUEN_DATA_KEYS": key, "OUEN_SECRET_KEY": "s" * 40,
                        "OUEN_AUDIT_KEY": "a" * 40, "OUEN_INDEX_KEY": "i" * 40,
                        "OUEN_VAR_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    fernet = Fernet(key.encode())
    old = {name: fernet.encrypt(text.encode()).decode() for name, text in {
        "totp": "JBSWY3DPEHPK3PXP", "nick": "こうべ太郎", "email": "taro@example.jp",
        "phone": "0783225211", "twitter": "kobe", "helper": "やまだ花子",
        "context": '{"ref": "OU-OLD-0001"}'}.items()}
    downgrade(database_url, "0015")

    async def run(sql: str, **values: Any) -> list[Any]:
        engine = create_engine(database_url)
        async with engine.begin() as conn:
            rows: list[Any] = []
            for statement in sql.split(";"):
                result = await conn.execute(text(statement), values)
                rows = list(result.mappings()) if result.returns_rows else rows
        await engine.dispose()
        return rows

    asyncio.run(run(FERNET_ROWS, now=datetime.now(UTC), **old))
    upgrade(database_url)
    cipher = FieldCipher((key,), "i" * 40)
    [person] = asyncio.run(run(
        "SELECT p.*, k.wrapped FROM proposal p JOIN record_key k ON k.id = p.key_id"))
    record = cipher.record(person["key_id"], person["wrapped"])
    assert record is not None
    assert [record.open(f, person[f"{f}_enc"]) for f in ("nickname", "email", "phone",
                                                         "twitter")] == [
        "こうべ太郎", "taro@example.jp", "0783225211", "kobe"]
    assert person["website_url_enc"] is None
    with pytest.raises(ValueError):
        record.open("phone", person["email_enc"])  # bound to its field
    [helper] = asyncio.run(run(
        "SELECT c.*, k.wrapped FROM collaborator c JOIN record_key k ON k.id = c.key_id"))
    assert helper["key_id"] != person["key_id"]
    helper_record = cipher.record(helper["key_id"], helper["wrapped"])
    assert helper_record is not None
    assert helper_record.open("display_name", helper["display_name_enc"]) == "やまだ花子"
    [staff] = asyncio.run(run("SELECT id, totp_secret_enc FROM staff_user"))
    assert cipher.open("staff.totp", staff["totp_secret_enc"], "1") == "JBSWY3DPEHPK3PXP"
    [mail] = asyncio.run(run("SELECT * FROM outbox_message"))
    assert cipher.open("outbox.recipient", mail["recipient_enc"], "<m1@x>") == "taro@example.jp"
    assert cipher.open("outbox.context", mail["context_enc"], "<m1@x>").startswith('{"ref"')
    children = asyncio.run(run("SELECT (SELECT count(*) FROM proposal_transition) AS moves, "
                               "(SELECT count(*) FROM verification_token) AS tokens"))
    assert dict(children[0]) == {"moves": 1, "tokens": 1}
    # And back: the values are Fernet again for the previous release.
    downgrade(database_url, "0015")
    [back] = asyncio.run(run("SELECT email_enc, phone_enc FROM proposal"))
    assert fernet.decrypt(back["email_enc"].encode()).decode() == "taro@example.jp"
    upgrade(database_url)
