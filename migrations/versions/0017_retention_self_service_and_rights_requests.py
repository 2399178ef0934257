"""retention, self-service and rights requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:00:00.000000

- proposal.closed_at (when the case last closed; filled from the status history) and
  erased_at; collaborator.left_at (when they retired; filled from updated_at) and erased_at:
  the retention rules count from these.
- audit_event.ip_digest and mac_erased: an entry's client address can be erased after its
  retention while the entry still verifies; the triggers now allow exactly that one change
  (address to empty, digest and second MAC set once) and refuse every other.
- self_service_link, self_service_session (/my) and rights_request (requests by phone or
  letter, with their 30-day deadline).
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

UNCHANGED = ("id", "at", "actor", "organisation", "action", "object_type", "object_id",
             "detail", "prev_mac", "mac")
# The one update an audit entry accepts: its address erased, with the digest and the MAC
# that let it verify without the address (core/audit.py erase_addresses).
ERASING = " AND ".join([f"NEW.{c} = OLD.{c}" for c in UNCHANGED] + [
    "OLD.ip <> ''", "NEW.ip = ''", "OLD.mac_erased = ''", "NEW.mac_erased <> ''",
    "NEW.ip_digest <> ''"])
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {ERASING} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only';
END;
$$ LANGUAGE plpgsql
"""
PG_FUNCTION_BEFORE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END;
$$ LANGUAGE plpgsql
"""
SQLITE_NO_UPDATE = ("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                    f"WHEN NOT ({ERASING}) "
                    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
SQLITE_NO_UPDATE_BEFORE = ("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                           "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")


def _subject_columns() -> list[sa.Column[int]]:
    return [
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('collaborator_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['collaborator_id'], ['collaborator.id'], ondelete='CASCADE'),
    ]  # type: ignore[list-item]


def _people() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index('ix_proposal_closed_at', ['closed_at'], unique=False)
    with op.batch_alter_table('collaborator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index('ix_collaborator_left_at', ['left_at'], unique=False)
    op.execute(
        "UPDATE proposal SET closed_at = (SELECT max(t.at) FROM proposal_transition t "
        "WHERE t.proposal_id = proposal.id AND t.to_status = proposal.status) "
        "WHERE status IN ('completed', 'declined', 'withdrawn', 'spam')")
    op.execute("UPDATE proposal SET closed_at = created_at WHERE closed_at IS NULL "
               "AND status IN ('completed', 'declined', 'withdrawn', 'spam')")
    op.execute("UPDATE collaborator SET left_at = updated_at WHERE status = 'retired'")


def _audit() -> None:
    op.add_column('audit_event', sa.Column('ip_digest', sqlmodel.sql.sqltypes.AutoString(
        length=64), nullable=False, server_default=''))
    op.add_column('audit_event', sa.Column('mac_erased', sqlmodel.sql.sqltypes.AutoString(
        length=64), nullable=False, server_default=''))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute(SQLITE_NO_UPDATE)


def _tables() -> None:
    op.create_table(
        'self_service_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        *_subject_columns(),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint('(proposal_id IS NULL) <> (collaborator_id IS NULL)',
                           name='ck_self_service_link_one_subject'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    for column in ('proposal_id', 'collaborator_id', 'expires_at'):
        op.create_index(f'ix_self_service_link_{column}', 'self_service_link', [column])
    op.create_table(
        'self_service_session',
        sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        *_subject_columns(),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    for column in ('proposal_id', 'collaborator_id', 'last_seen_at'):
        op.create_index(f'ix_self_service_session_{column}', 'self_service_session', [column])
    op.create_table(
        'rights_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('subject_ref', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('identity_check', sqlmodel.sql.sqltypes.AutoString(length=32),
                  nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['closed_by_id'], ['staff_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_rights_request_due_on', 'rights_request', ['due_on'])
    op.create_index('ix_rights_request_status', 'rights_request', ['status'])
    op.create_table(
        'erased_key',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def upgrade() -> None:
    _people()
    _audit()
    _tables()


def downgrade() -> None:
    op.drop_table('erased_key')
    op.drop_table('rights_request')
    op.drop_table('self_service_session')
    op.drop_table('self_service_link')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('mac_erased')
        batch_op.drop_column('ip_digest')
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION_BEFORE)
    else:
        # Rebuilding the table dropped its triggers: both come back as 0002 made them.
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        op.execute(SQLITE_NO_UPDATE_BEFORE)
        op.execute("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                   "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
    with op.batch_alter_table('collaborator', schema=None) as batch_op:
        batch_op.drop_index('ix_collaborator_left_at')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('left_at')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_closed_at')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('closed_at')
