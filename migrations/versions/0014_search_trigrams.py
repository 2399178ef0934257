"""search index: trigrams beside bigrams

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:05:00.000000

Terms of three characters or more are looked up by their trigrams (admin/search.py), so the
index is rebuilt with both; the downgrade rebuilds it with bigrams only, as 0012 had it (the
SQLite index is contentless: removing a proposal needs exactly the words it was indexed by).
"""
from alembic import op

from intake.search import clear, fill, grams

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    clear(op.get_bind())
    fill(op.get_bind())


def downgrade() -> None:
    clear(op.get_bind())
    fill(op.get_bind(), lambda catchphrase, body: grams(catchphrase) | grams(body))
