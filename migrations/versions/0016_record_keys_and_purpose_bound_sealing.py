"""record keys and purpose-bound sealing

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:00:00.000000

Until now one Fernet key (OUEN_DATA_KEYS) encrypted contact data, staff TOTP secrets and the
outbox alike, so a value sealed for one use opened in another. From here:

- every proposal and collaborator has its own data key (`record_key`, sealed under
  OUEN_DATA_KEYS for the purpose `record-key`); its contact values are AES-GCM under that
  key, bound to the key and the field. Deleting the key is erasure (crypto-shredding);
- staff TOTP secrets are sealed for `staff.totp` and their account, outbox recipients and
  contexts for `outbox.recipient` / `outbox.context` and their message;
- contact columns may be empty (erased, or a person without an email address).

Existing values are opened with the Fernet keys and sealed again with the same keys, so the
keys in OUEN_DATA_KEYS (or the development var/keys.json) are needed when there are rows.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op
from cryptography.fernet import Fernet, MultiFernet

from core.crypto import FieldCipher
from core.settings import load_settings

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

PEOPLE = {
    "proposal": ("nickname", "email", "phone", "website_url", "facebook_url", "twitter"),
    "collaborator": ("display_name", "email", "phone"),
}
NULLABLE = {
    "proposal": ("nickname_enc", "email_enc", "email_bidx", "phone_enc"),
    "collaborator": ("display_name_enc", "email_enc", "email_bidx", "phone_enc"),
}
BATCH = 2000


def _keys() -> tuple[FieldCipher, MultiFernet]:
    settings = op.get_context().config.attributes.get("settings") or load_settings()
    fernet = MultiFernet([Fernet(key.encode()) for key in settings.data_keys])
    return FieldCipher(settings.data_keys, settings.index_key), fernet


def _rows(bind: sa.Connection, sql: str) -> list[Any]:
    return list(bind.execute(sa.text(sql)).mappings())


def _has_rows(bind: sa.Connection) -> bool:
    tables = ("proposal", "collaborator", "staff_user", "outbox_message")
    return any(bind.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in tables)


def _convert_people(bind: sa.Connection, cipher: FieldCipher, fernet: MultiFernet) -> None:
    now = datetime.now(UTC)
    for table, fields in PEOPLE.items():
        columns = ", ".join(f"{f}_enc" for f in fields)
        after = 0
        while True:
            rows = _rows(bind, f"SELECT id, {columns} FROM {table} WHERE id > {after} "
                               f"ORDER BY id LIMIT {BATCH}")
            if not rows:
                break
            keys, updates = [], []
            for row in rows:
                key_id, wrapped, record = cipher.new_record()
                keys.append({"id": key_id, "wrapped": wrapped, "created_at": now})
                change: dict[str, Any] = {"row_id": row["id"], "key_id": key_id}
                for field in fields:
                    old = row[f"{field}_enc"]
                    change[field] = (record.seal(field, fernet.decrypt(old.encode()).decode())
                                     if old else None)
                updates.append(change)
            bind.execute(sa.text("INSERT INTO record_key (id, wrapped, created_at) "
                                 "VALUES (:id, :wrapped, :created_at)"), keys)
            sets = ", ".join(f"{f}_enc = :{f}" for f in fields)
            bind.execute(sa.text(f"UPDATE {table} SET key_id = :key_id, {sets} "
                                 "WHERE id = :row_id"), updates)
            after = rows[-1]["id"]


def _convert_staff_and_outbox(bind: sa.Connection, cipher: FieldCipher,
                              fernet: MultiFernet) -> None:
    def opened(token: str) -> str:
        return fernet.decrypt(token.encode()).decode()

    staff = _rows(bind, "SELECT id, totp_secret_enc FROM staff_user "
                        "WHERE totp_secret_enc IS NOT NULL")
    if staff:
        bind.execute(sa.text("UPDATE staff_user SET totp_secret_enc = :v WHERE id = :i"), [
            {"i": r["id"], "v": cipher.seal("staff.totp", opened(r["totp_secret_enc"]),
                                            str(r["id"]))} for r in staff])
    mail = _rows(bind, "SELECT id, message_id, recipient_enc, context_enc FROM outbox_message "
                       "WHERE recipient_enc IS NOT NULL")
    if mail:
        bind.execute(sa.text("UPDATE outbox_message SET recipient_enc = :r, context_enc = :c "
                             "WHERE id = :i"), [
            {"i": m["id"],
             "r": cipher.seal("outbox.recipient", opened(m["recipient_enc"]), m["message_id"]),
             "c": cipher.seal("outbox.context", opened(m["context_enc"]), m["message_id"])}
            for m in mail])


def upgrade() -> None:
    op.create_table(
        'record_key',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('wrapped', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    for table, columns in NULLABLE.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=32),
                                          nullable=True))
            batch_op.create_index(f'ix_{table}_key_id', ['key_id'], unique=False)
            batch_op.create_foreign_key(f'fk_{table}_key_id_record_key', 'record_key',
                                        ['key_id'], ['id'], ondelete='SET NULL')
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(), nullable=True)
    bind = op.get_bind()
    if _has_rows(bind):
        cipher, fernet = _keys()
        _convert_people(bind, cipher, fernet)
        _convert_staff_and_outbox(bind, cipher, fernet)


def _restore_people(bind: sa.Connection, cipher: FieldCipher, fernet: MultiFernet) -> None:
    for table, fields in PEOPLE.items():
        columns = ", ".join(f"t.{f}_enc" for f in fields)
        rows = _rows(bind, f"SELECT t.id, t.key_id, k.wrapped, {columns} FROM {table} t "
                           "LEFT JOIN record_key k ON k.id = t.key_id")
        updates = []
        for row in rows:
            record = cipher.record(row["key_id"], row["wrapped"])
            change: dict[str, Any] = {"row_id": row["id"]}
            for field in fields:
                token = row[f"{field}_enc"]
                change[field] = (fernet.encrypt(record.open(field, token).encode()).decode()
                                 if token and record else "")
            updates.append(change)
        if updates:
            sets = ", ".join(f"{f}_enc = :{f}" for f in fields)
            bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :row_id"), updates)


def _restore_staff_and_outbox(bind: sa.Connection, cipher: FieldCipher,
                              fernet: MultiFernet) -> None:
    def sealed(text: str) -> str:
        return fernet.encrypt(text.encode()).decode()

    for r in _rows(bind, "SELECT id, totp_secret_enc FROM staff_user "
                         "WHERE totp_secret_enc IS NOT NULL"):
        bind.execute(sa.text("UPDATE staff_user SET totp_secret_enc = :v WHERE id = :i"), {
            "i": r["id"], "v": sealed(cipher.open("staff.totp", r["totp_secret_enc"],
                                                  str(r["id"])))})
    for m in _rows(bind, "SELECT id, message_id, recipient_enc, context_enc FROM outbox_message "
                         "WHERE recipient_enc IS NOT NULL"):
        bind.execute(sa.text("UPDATE outbox_message SET recipient_enc = :r, context_enc = :c "
                             "WHERE id = :i"), {
            "i": m["id"],
            "r": sealed(cipher.open("outbox.recipient", m["recipient_enc"], m["message_id"])),
            "c": sealed(cipher.open("outbox.context", m["context_enc"], m["message_id"]))})


def downgrade() -> None:
    bind = op.get_bind()
    if _has_rows(bind):
        cipher, fernet = _keys()
        _restore_people(bind, cipher, fernet)
        _restore_staff_and_outbox(bind, cipher, fernet)
    for table, columns in NULLABLE.items():
        bind.execute(sa.text(f"UPDATE {table} SET email_bidx = '' WHERE email_bidx IS NULL"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(), nullable=False)
            batch_op.drop_constraint(f'fk_{table}_key_id_record_key', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_key_id')
            batch_op.drop_column('key_id')
    op.drop_table('record_key')
