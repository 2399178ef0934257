"""outbox messages name their record

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 09:00:00.000000

An outbox row says which record it is about (`proposal`, 12), so purging an unverified
proposal or collaborator withdraws its confirmation email if that is still queued. Rows
queued before this revision name nothing: they keep being sent or given up as before.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('object_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_message_object', ['object_type', 'object_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_object')
        batch_op.drop_column('object_id')
        batch_op.drop_column('object_type')
