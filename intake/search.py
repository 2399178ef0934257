"""Staff text search over proposals: a character n-gram index beside the proposal table.

Japanese has no spaces between words, so a word index would not find 高齢 inside 高齢者; a
proposal is indexed by the distinct two- and three-character pieces (bigrams and trigrams)
of its catchphrase and body after NFKC and lower-casing (full-width and half-width, upper
and lower case meet). A two-character term can only be in proposals holding its bigram; a
longer term only in proposals holding all of its trigrams. Those candidates are then checked
against the real text, so the results are exactly the proposals whose normalised catchphrase
or body contains the normalised term. Trigrams keep the candidates close to the matches
where bigrams alone would not: every bigram of たちの翻訳 is common in text about
子どもたちのための翻訳, but ちの翻 is not.

Each n-gram is stored as a 32-bit key (CRC-32 of its UTF-8): two n-grams sharing a key
only add a candidate that the text check drops. SQLite keeps the keys in a contentless
FTS5 table (`proposal_grams`, rowid = proposal id, keys as hex words); PostgreSQL in a
table `proposal_grams(proposal_id, grams integer[])` with a GIN index.

A proposal enters the index when staff can first see it (verified, or entered by staff);
unverified proposals are never indexed."""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    delete,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from intake.models import Proposal, ProposalStatus

TABLE = "proposal_grams"
# Rows that pass the filters, read straight from the proposal table (newest or oldest first,
# per the sort) before the index is asked: a common word fills its page within them at once,
# where the index would hand back hundreds of thousands of ids.
SCAN_WINDOW = 1_000
FIRST_READ = 250  # the first read of the window; a common word is done after it
INDEX_ROUND = 1_000  # index candidates per round after the window, growing 4× a round
REINDEX_BATCH = 5_000

# Not in SQLModel.metadata: the two databases keep different objects under this name
# (migration 0012 creates them), and the schema comparison leaves them out.
_metadata = MetaData()
GRAMS = Table(
    TABLE, _metadata,
    Column("proposal_id", Integer, ForeignKey("proposal.id", ondelete="CASCADE"),
           primary_key=True),
    Column("grams", ARRAY(Integer), nullable=False),
)
_FTS_INSERT = text("INSERT INTO proposal_grams(rowid, grams) VALUES (:id, :grams)")
_FTS_DELETE = text("INSERT INTO proposal_grams(proposal_grams, rowid, grams) "
                   "VALUES ('delete', :id, :grams)")
# The table keeps no row list (columnsize=0): a row is in it if one of its words lists it.
_FTS_HAS = text("SELECT rowid FROM proposal_grams WHERE proposal_grams MATCH :word "
                "AND rowid = :id")
_FTS_CLEAR = text("INSERT INTO proposal_grams(proposal_grams) VALUES ('delete-all')")


def is_index_table(name: str | None) -> bool:
    """Whether a table belongs to the search index (the FTS5 table has shadow tables)."""
    return bool(name) and (name == TABLE or str(name).startswith(f"{TABLE}_"))


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern with `escape="\\"`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def normalise(value: str) -> str:
    """NFKC and lower case: ＡＢＣ, ABC and abc are the same text to search."""
    return unicodedata.normalize("NFKC", value).lower()


def _pieces(normalised: str, size: int) -> set[str]:
    pieces = (normalised[i:i + size] for i in range(len(normalised) - size + 1))
    return {g for g in pieces if not g.isspace()}


def grams(value: str, size: int = 2) -> set[str]:
    """The distinct n-grams (bigrams by default) of the normalised text, leaving out
    all-whitespace ones."""
    return _pieces(normalise(value), size)


def query_grams(needle: str) -> set[str]:
    """What a term is looked up by: its trigrams, or its bigram when it has no trigram."""
    return grams(needle, 3) or grams(needle, 2)


@lru_cache(maxsize=65_536)
def gram_key(gram: str) -> int:
    """A bigram as a signed 32-bit integer (PostgreSQL `integer`)."""
    return zlib.crc32(gram.encode()) - 2**31


@lru_cache(maxsize=65_536)
def gram_word(gram: str) -> str:
    """A bigram's key as an FTS5 word (hex, so the `ascii` tokenizer keeps it whole)."""
    return f"{zlib.crc32(gram.encode()):08x}"


def proposal_grams(catchphrase: str, body: str) -> set[str]:
    """What a proposal is indexed by: no n-gram spans catchphrase and body."""
    found: set[str] = set()
    for value in map(normalise, (catchphrase, body)):
        found |= _pieces(value, 2) | _pieces(value, 3)
    return found


def keys_of(found: set[str]) -> list[int]:
    """n-grams as PostgreSQL stores them: distinct integer keys, sorted."""
    return sorted(set(map(gram_key, found)))


def words_of(found: set[str]) -> str:
    """n-grams as the SQLite FTS5 table stores them: hex words."""
    return " ".join(sorted(map(gram_word, found)))


def proposal_keys(catchphrase: str, body: str) -> list[int]:
    return keys_of(proposal_grams(catchphrase, body))


def proposal_words(catchphrase: str, body: str) -> str:
    return words_of(proposal_grams(catchphrase, body))


def contains(needle: str, catchphrase: str, body: str,
             screen: Callable[[str], str] | None = None) -> bool:
    """The exact check behind the index: `needle` is already normalised. With `screen`,
    the text is checked as that function leaves it (what the searcher may read)."""
    if screen is not None:
        catchphrase, body = screen(catchphrase), screen(body)
    return needle in normalise(catchphrase) or needle in normalise(body)


def _is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


# --- keeping the index current --------------------------------------------------------

async def index_rows(conn: AsyncConnection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Index proposals given as (id, catchphrase, body); they must not be indexed yet on
    SQLite (FTS5 cannot replace a contentless row), PostgreSQL replaces them."""
    if not rows:
        return
    if _is_sqlite(conn):
        await conn.execute(_FTS_INSERT, [{"id": i, "grams": proposal_words(c, b)}
                                         for i, c, b in rows])
        return
    values = [{"proposal_id": i, "grams": proposal_keys(c, b)} for i, c, b in rows]
    stmt = pg_insert(GRAMS)
    await conn.execute(stmt.on_conflict_do_update(
        index_elements=[GRAMS.c.proposal_id], set_={"grams": stmt.excluded.grams}), values)


async def index_text(db: AsyncSession, proposal_id: int, catchphrase: str, body: str) -> None:
    """Put one proposal that staff can now see into the index (same transaction)."""
    await index_rows(await db.connection(), [(proposal_id, catchphrase, body)])


async def index_proposal(db: AsyncSession, proposal: Proposal) -> None:
    assert proposal.id is not None
    await index_text(db, proposal.id, proposal.catchphrase, proposal.body)


async def unindex(db: AsyncSession, proposal_id: int) -> None:
    """Take a proposal out of the index; call before deleting it or changing its text.
    (PostgreSQL's foreign key also cascades; SQLite's FTS5 table needs the old words.)"""
    conn = await db.connection()
    if not _is_sqlite(conn):
        await conn.execute(delete(GRAMS).where(GRAMS.c.proposal_id == proposal_id))
        return
    row = (await conn.execute(
        select(Proposal.catchphrase, Proposal.body, Proposal.status)  # type: ignore[call-overload]
        .where(col(Proposal.id) == proposal_id))).first()
    # Deleting words a row never had corrupts a contentless FTS5 table, so only a row the
    # index holds is deleted (one that was never indexed, or is out already, is skipped).
    words = proposal_words(row.catchphrase, row.body) if row is not None else ""
    if not words:
        return
    indexed = (await conn.execute(_FTS_HAS, {"id": proposal_id, "word": f'"{words.split()[0]}"'})
               ).first() is not None
    if indexed:
        await conn.execute(_FTS_DELETE, {"id": proposal_id, "grams": words})


async def reindex(conn: AsyncConnection, batch: int = REINDEX_BATCH) -> int:
    """Rebuild the whole index from the proposal table (`ouen search reindex`)."""

    def rebuild(bind: Connection) -> int:
        clear(bind)
        return fill(bind, batch=batch)

    return await conn.run_sync(rebuild)


def fill(bind: Connection, grams_of: Callable[[str, str], set[str]] = proposal_grams,
         batch: int = REINDEX_BATCH) -> int:
    """Fill the empty index from the proposal table on a synchronous connection (the
    migrations, and `reindex` through `run_sync`); `grams_of` is what a proposal is indexed
    by. Returns the rows indexed."""
    sqlite = bind.dialect.name == "sqlite"
    insert_row = _FTS_INSERT if sqlite else text(
        "INSERT INTO proposal_grams(proposal_id, grams) VALUES (:id, :grams)")
    stored = words_of if sqlite else keys_of
    done, last = 0, 0
    while True:
        rows = bind.execute(
            select(Proposal.id, Proposal.catchphrase, Proposal.body)  # type: ignore[call-overload]
            .where(col(Proposal.status) != ProposalStatus.UNVERIFIED, col(Proposal.id) > last)
            .order_by(col(Proposal.id)).limit(batch)).all()
        if not rows:
            return done
        bind.execute(insert_row, [
            {"id": row.id, "grams": stored(grams_of(row.catchphrase, row.body))} for row in rows])
        done += len(rows)
        last = rows[-1].id


def clear(bind: Connection) -> None:
    """Empty the index on a synchronous connection."""
    bind.execute(_FTS_CLEAR if bind.dialect.name == "sqlite" else text("TRUNCATE proposal_grams"))


# --- searching ------------------------------------------------------------------------

def query_keys(needle: str) -> list[int]:
    """The keys a normalised term needs; empty when it has no usable n-gram."""
    return sorted({gram_key(g) for g in query_grams(needle)})


def _candidates(conn: AsyncConnection, needle: str) -> Any:
    """Ids of proposals holding every n-gram `needle` is looked up by (a subquery)."""
    if _is_sqlite(conn):
        match = " AND ".join(f'"{gram_word(gram)}"' for gram in sorted(query_grams(needle)))
        return select(literal_column("rowid")).select_from(text(TABLE)).where(
            text("proposal_grams MATCH :gram_match").bindparams(gram_match=match))
    # The keys are our own integers, written into the statement on purpose: PostgreSQL then
    # plans each search with the real keys' frequencies instead of a generic plan.
    array = ",".join(str(key) for key in query_keys(needle))
    wanted: ColumnElement[Any] = literal_column(f"ARRAY[{array}]::integer[]")
    return select(GRAMS.c.proposal_id).where(GRAMS.c.grams.op("@>")(wanted))


async def _read(
    db: AsyncSession, conditions: list[ColumnElement[bool]], edge: int | None, oldest: bool,
    size: int,
) -> Sequence[Any]:
    query = select(Proposal.id, Proposal.catchphrase, Proposal.body)  # type: ignore[call-overload]
    if edge is not None:
        query = query.where(col(Proposal.id) > edge if oldest else col(Proposal.id) < edge)
    order = col(Proposal.id).asc() if oldest else col(Proposal.id).desc()
    rows: Sequence[Any] = (await db.exec(query.where(*conditions).order_by(order)
                                         .limit(size))).all()
    return rows


async def find(
    db: AsyncSession, conditions: list[ColumnElement[bool]], needle: str, *,
    after: int | None, oldest: bool, limit: int, screen: Callable[[str], str] | None = None,
) -> tuple[list[int], int | None]:
    """Ids of one complete page of proposals matching the filters and containing `needle`
    (normalised, with at least one bigram), and the keyset of the next page."""
    conn = await db.connection()
    found: list[int] = []
    edge, budget = after, SCAN_WINDOW
    indexed = budget <= 0
    size = INDEX_ROUND if indexed else min(FIRST_READ, budget)
    while True:
        where = conditions
        if indexed:
            where = [*conditions, col(Proposal.id).in_(_candidates(conn, needle))]
        rows = await _read(db, where, edge, oldest, size)
        found += [row.id for row in rows
                  if contains(needle, row.catchphrase, row.body, screen)]
        if len(found) > limit:
            return found[:limit], found[limit - 1]
        if len(rows) < size:
            return found, None  # nothing further passes the filters (and the index)
        edge = rows[-1].id
        if not indexed:
            budget -= size
            size = min(size * 3, budget)
            if budget <= 0:
                indexed, size = True, INDEX_ROUND
        else:
            size *= 4


async def compact(conn: AsyncConnection) -> None:
    """Merge the SQLite index's segments so entries of erased proposals leave the file
    (contentless FTS5 keeps a deleted row's words in old segments until they merge);
    PostgreSQL drops them with the rows."""
    if _is_sqlite(conn):
        await conn.execute(text("INSERT INTO proposal_grams(proposal_grams) VALUES ('optimize')"))
