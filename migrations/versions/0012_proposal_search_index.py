"""proposal search index (character bigrams)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 09:00:00.000000

SQLite: a contentless FTS5 table; PostgreSQL: a table with an integer[] and a GIN index.
Both are filled here for every proposal staff can see (see intake/search.py). The keys come
from intake.search itself, so the index always agrees with the code that queries it; if the
bigram rules ever change, `ouen search reindex` rebuilds the index.
"""
from alembic import op
import sqlalchemy as sa

from intake.search import fill, grams

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _bigrams(catchphrase: str, body: str) -> set[str]:
    """What this revision indexed a proposal by (0014 adds trigrams)."""
    return grams(catchphrase) | grams(body)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE proposal_grams USING fts5("
                   "grams, content='', detail=none, columnsize=0, tokenize='ascii')")
        fill(op.get_bind(), _bigrams)
        return
    op.create_table(
        'proposal_grams',
        sa.Column('proposal_id', sa.Integer(),
                  sa.ForeignKey('proposal.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('grams', sa.ARRAY(sa.Integer()), nullable=False),
    )
    fill(op.get_bind(), _bigrams)
    op.create_index('ix_proposal_grams_grams', 'proposal_grams', ['grams'],
                    postgresql_using='gin')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE proposal_grams")
        return
    op.drop_table('proposal_grams')
