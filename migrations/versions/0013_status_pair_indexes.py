"""status pair indexes: (status, category, id) and (status, ward, id)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:00:00.000000

A case list or search filtered by status and category (or ward) walks one index range in id
order; with only the single-column indexes PostgreSQL intersected two large bitmaps or
scanned the primary key (60–100 ms at a million proposals).
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_status_category_id', ['status', 'category', 'id'],
                              unique=False)
        batch_op.create_index('ix_proposal_status_ward_id', ['status', 'ward', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_status_ward_id')
        batch_op.drop_index('ix_proposal_status_category_id')
