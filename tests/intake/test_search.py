"""Staff proposal search: the bigram index (intake/search.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from litestar import Litestar
from sqlalchemy import text
from sqlmodel import col, delete, select, update

import intake.search
from admin.case_list import Filters, list_proposals
from admin.models import StaffUser
from admin.permissions import Role
from admin.services import staff_actor
from core.audit import AuditLog
from core.crypto import hash_token
from core.db import create_engine, session_factory, utcnow
from core.migrate import downgrade, upgrade
from core.settings import Settings
from intake.demo import create_proposals
from intake.models import Proposal, VerificationToken
from intake.search import index_proposal, unindex
from intake.services import purge_unverified
from intake.verification import verify_email
from tests.conftest import VALID_FORM, csrf_of
from tests.factories import case_links, contact_columns, make_proposal, search, signed_in

STAFF = StaffUser(id=1, email="x@example.jp", display_name="x", organisation="x",
                  role=Role.COORDINATOR, password_hash="!", created_at=utcnow())


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few rows read directly, then the index in small rounds: a few hundred proposals
    behave as a million would with the real sizes."""
    monkeypatch.setattr(intake.search, "SCAN_WINDOW", 9)
    monkeypatch.setattr(intake.search, "FIRST_READ", 3)
    monkeypatch.setattr(intake.search, "INDEX_ROUND", 2)


async def add_many(app: Litestar, texts: list[tuple[str, str]], **overrides: Any) -> list[int]:
    """Proposals with these (catchphrase, body), indexed, oldest first, in one transaction."""
    cipher, now = app.state.cipher, utcnow()
    made = []
    async with app.state.sessions() as db, db.begin():
        for n, (catch, body) in enumerate(texts):
            values: dict[str, Any] = {
                "ref": f"OU-S{n:04d}-{now.microsecond:06d}"[:16], "status": "new",
                "category": "elderly", "ward": "nada", "catchphrase": catch, "body": body,
                **contact_columns(cipher, now, nickname="x", email="x@ex.jp", phone="0"),
                "email_bidx": cipher.blind_index(f"x{n}@ex.jp"),
                "locale": "ja", "consent_at": now, "policy_version": "2026-11-01",
                "created_at": now, "verified_at": now, **overrides}
            proposal = Proposal(**values)
            db.add(proposal)
            await db.flush()
            if proposal.status != "unverified":
                await index_proposal(db, proposal)
            made.append(proposal)
    return [p.id or 0 for p in made]


async def found(app: Litestar, q: str, limit: int = 50, **filters: Any) -> list[int]:
    """Every id the list shows for `q`, page after page; a page is never partial."""
    ids: list[int] = []
    after = None
    async with app.state.sessions() as db:
        for _ in range(100):
            page = await list_proposals(db, Filters(q=q, after=after, **filters),
            staff_actor(STAFF),
                                        limit)
            assert not page.partial
            ids += [p.id or 0 for p in page.rows]
            if page.next_after is None:
                return ids
            assert len(page.rows) == limit  # a page holds a full page whenever more exist
            after = page.next_after
    raise AssertionError("no end of pages")


async def test_rare_old_term_is_found_in_one_page(
    client: httpx.AsyncClient, app: Litestar, small_window: None
) -> None:
    await make_proposal(app, ref="OU-RARE-0001", body="珍しいことばを含む応募")
    await add_many(app, [("高齢者の買い物", "灘区で高齢の方の買い物を手伝います。")] * 300)
    await signed_in(client, app, "coordinator")
    page = await search(client, "/admin/proposals", q="珍しいことば")
    assert page.status_code == 200 and "OU-RARE-0001" in page.text
    assert case_links(page.text) == 1 and 'rel="next"' not in page.text
    assert "応募の一部を検索しました" not in page.text
    common = await search(client, "/admin/proposals", q="高齢")
    assert case_links(common.text) == 50 and 'rel="next"' in common.text
    none = await search(client, "/admin/proposals", q="存在しない")
    assert case_links(none.text) == 0 and 'rel="next"' not in none.text


async def test_what_matches(client: httpx.AsyncClient, app: Litestar, small_window: None) -> None:
    ids = await add_many(app, [
        ("高齢者の見守り", "毎朝の声かけ。"),                    # 0
        ("食事の提供", "長田区で子ども食堂を開きます。"),        # 1
        ("ＡＢＣ体操", "全角の英字です。"),                      # 2
        ("料理教室", "Abc cooking for everyone"),              # 3
        ("子どもの居場所", "子どもも食べる食堂です。"),          # 4 all bigrams of 子ども食堂
        ("割引", "割引率100%_対象\\あり"),                     # 5
        ("割引", "1000対象、割引率100%の日"),                   # 6
        ("みんなの広場", "場所をお貸しします。"),                # 7
    ] + [("その他", f"関係のない応募{n}") for n in range(20)])
    assert await found(app, "高齢") == [ids[0]]
    assert await found(app, "子ども食堂") == [ids[1]]  # not 4: the bigrams are apart
    for term in ("abc", "ＡＢＣ", "ABC", "ａｂｃ"):
        assert await found(app, term) == [ids[3], ids[2]], term
    assert await found(app, "0%_") == [ids[5]]  # LIKE metacharacters are literal
    assert await found(app, "%_対") == [ids[5]]
    assert await found(app, "\\あ") == [ids[5]]
    assert await found(app, "0%") == [ids[6], ids[5]]
    assert await found(app, "広場場所") == [] and await found(app, "場場") == []
    assert await found(app, "広場") == [ids[7]] and await found(app, "場所") == [ids[7], ids[4]]


async def candidates(app: Litestar, term: str) -> set[int]:
    """The ids the index alone hands back for a term, before the text check."""
    async with app.state.sessions() as db:
        conn = await db.connection()
        result = await conn.execute(intake.search._candidates(conn, intake.search.normalise(term)))
        return {row[0] for row in result}


async def test_longer_terms_use_trigrams_so_bigrams_apart_are_no_candidates(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    apart, match, other = await add_many(app, [
        ("子どもたちのための翻訳", "絵本を読みます。"),   # たち ちの の翻 翻訳, never ちの翻
        ("留学生と", "子どもたちの翻訳ボランティア。"),
        ("食事", "配食サービス。"),
    ])
    assert await candidates(app, "たちの翻訳") == {match}
    assert await candidates(app, "翻訳") == {apart, match}  # two characters: the bigram
    assert await candidates(app, "ちの翻") == {match}
    assert await candidates(app, "配食") == {other}
    assert await found(app, "たちの翻訳") == [match]


async def test_keyset_pages_in_both_orders_with_filters(
    client: httpx.AsyncClient, app: Litestar, small_window: None
) -> None:
    texts = [("見守り", f"高齢の方{n}") if n % 3 == 0 else ("配食", f"お弁当{n}")
             for n in range(90)]
    ids = await add_many(app, texts)
    matching = [i for n, i in enumerate(ids) if n % 3 == 0]
    assert await found(app, "高齢の", limit=4) == matching[::-1]
    assert await found(app, "高齢の", limit=4, sort="oldest") == matching
    assert await found(app, "高齢の", limit=50, sort="oldest") == matching
    async with app.state.sessions() as db, db.begin():
        for n, proposal_id in enumerate(ids):
            proposal = await db.get(Proposal, proposal_id)
            assert proposal is not None
            proposal.category = "children" if n % 2 else "elderly"
            proposal.created_at = utcnow() - timedelta(days=100 if n < 45 else 0)
            db.add(proposal)
    odd = [i for n, i in enumerate(ids) if n % 3 == 0 and n % 2]
    assert await found(app, "高齢の", limit=2, category="children") == odd[::-1]
    assert await found(app, "高齢の", limit=2, category="children", sort="oldest") == odd
    recent = [i for n, i in enumerate(ids) if n % 3 == 0 and n >= 45]
    assert await found(app, "高齢の", limit=3, since=utcnow().date()) == recent[::-1]
    assert await found(app, "高齢の", limit=3, status="spam") == []


async def test_index_follows_verification_staff_entry_and_deletion(
    client: httpx.AsyncClient, app: Litestar, small_window: None
) -> None:
    pending = await make_proposal(app, status="unverified", verified_at=None,
                                  body="確認待ちのふしぎな応募")
    await add_many(app, [("その他", f"関係のない応募{n}") for n in range(30)])
    async with app.state.sessions() as db, db.begin():
        db.add(VerificationToken(proposal_id=pending.id, token_hash=hash_token("t" * 43),
                                 expires_at=utcnow() + timedelta(hours=1)))
    assert await found(app, "ふしぎ") == []
    async with app.state.sessions() as db, db.begin():
        await verify_email(db, AuditLog(app.state.settings.audit_key), "t" * 43)
    assert await found(app, "ふしぎ") == [pending.id]

    await signed_in(client, app, "coordinator")
    page = await client.get("/admin/proposals/new")
    entered = await client.post("/admin/proposals/new", data={
        **VALID_FORM, "body": "電話で受けた、めずらしい応募", "source": "phone",
        "consent_method": "verbal_phone", "_csrf_token": csrf_of(page.text)})
    assert entered.status_code == 303
    await add_many(app, [("その他", f"関係のない応募{n}") for n in range(30)])
    [staff_entry] = await found(app, "めずらしい")
    assert entered.headers["location"] == f"/admin/proposals/{staff_entry}"

    # Unverified proposals were never indexed; the 48-hour purge leaves the index sound.
    await make_proposal(app, status="unverified", verified_at=None, body="古い未確認",
                        created_at=utcnow() - timedelta(days=3))
    async with app.state.sessions() as db, db.begin():
        assert await purge_unverified(db, AuditLog(app.state.settings.audit_key)) == 1
    # Any other deletion takes the proposal out of the index first.
    async with app.state.sessions() as db, db.begin():
        await unindex(db, staff_entry)
        await db.exec(delete(Proposal).where(col(Proposal.id) == staff_entry))
    assert await found(app, "めずらしい") == [] and await found(app, "ふしぎ") == [pending.id]
    again = await add_many(app, [("再登録", "めずらしい応募、もう一度")])
    assert await found(app, "めずらしい") == again
    if app.state.settings.database_url.startswith("sqlite"):
        async with app.state.sessions() as db, db.begin():
            await db.exec(text(
                "INSERT INTO proposal_grams(proposal_grams) VALUES ('integrity-check')"))


async def test_demo_data_and_reindex_fill_the_index(
    client: httpx.AsyncClient, app: Litestar, monkeypatch: pytest.MonkeyPatch,
    database_url: str, tmp_path: Any,
) -> None:
    monkeypatch.setattr(intake.search, "SCAN_WINDOW", 0)  # the index alone
    await create_proposals(app.state.engine, app.state.cipher, 300, batch=70)
    async with app.state.sessions() as db:
        rows = (await db.exec(select(Proposal))).all()
    expected = sorted((p.id or 0 for p in rows if "高齢の方" in p.body), reverse=True)
    assert expected and await found(app, "高齢の方") == expected
    async with app.state.sessions() as db, db.begin():
        clear = ("INSERT INTO proposal_grams(proposal_grams) VALUES ('delete-all')"
                 if database_url.startswith("sqlite") else "DELETE FROM proposal_grams")
        await db.exec(text(clear))
    assert await found(app, "高齢の方") == []
    monkeypatch.setenv("OUEN_DATABASE_URL", database_url)
    monkeypatch.setenv("OUEN_VAR_DIR", str(tmp_path / "cli"))
    from cli import main

    assert await asyncio.to_thread(main, ["search", "reindex"]) == 0
    assert await found(app, "高齢の方") == expected


async def test_one_character_reads_a_bounded_window_and_continues(
    client: httpx.AsyncClient, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    import admin.case_list

    monkeypatch.setattr(admin.case_list, "SEARCH_WINDOW", 5)
    await make_proposal(app, ref="OU-RARE-0001", body="珍しいことばを含む応募")
    for n in range(11):
        await make_proposal(app, ref=f"OU-PLAIN-{n:03d}")
    await signed_in(client, app, "coordinator")
    page = await search(client, "/admin/proposals", q="珍")
    assert page.status_code == 200 and "OU-RARE-0001" not in page.text
    assert "続きを検索する" in page.text and "2文字以上" in page.text
    for _ in range(5):  # 12 proposals, 5 ids per page
        link = page.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
        page = await client.get(link.replace("&amp;", "&"))
        if "OU-RARE-0001" in page.text:
            break
    assert "OU-RARE-0001" in page.text and 'rel="next"' not in page.text


async def test_trigram_migration_rebuilds_the_index_both_ways(
    client: httpx.AsyncClient, app: Litestar, database_url: str, settings: Settings
) -> None:
    """0014 adds trigrams to an index of bigrams; its downgrade takes them out again."""
    apart, match = await add_many(app, [("子どもたちのための翻訳", "絵本"),
                                        ("留学生", "子どもたちの翻訳")])
    bigrams = sorted(intake.search.grams("たちの翻訳"))
    sqlite = database_url.startswith("sqlite")
    by_bigrams = (
        text("SELECT rowid FROM proposal_grams WHERE proposal_grams MATCH :m").bindparams(
            m=" AND ".join(f'"{intake.search.gram_word(g)}"' for g in bigrams)) if sqlite else
        text("SELECT proposal_id FROM proposal_grams WHERE grams @> :k").bindparams(
            k=[intake.search.gram_key(g) for g in bigrams]))

    async def holding_every_bigram() -> set[int]:
        async with app.state.sessions() as db:
            return {row[0] for row in await (await db.connection()).execute(by_bigrams)}

    assert await candidates(app, "たちの翻訳") == {match}
    await asyncio.to_thread(downgrade, database_url, "0013", settings)
    assert await holding_every_bigram() == {apart, match}
    assert await candidates(app, "たちの翻訳") == set()  # no trigrams any more
    await asyncio.to_thread(upgrade, database_url, "head", settings)
    assert await holding_every_bigram() == {apart, match}
    assert await candidates(app, "たちの翻訳") == {match}


def test_migration_indexes_existing_proposals_and_drops_the_index(
    database_url: str, settings: Settings
) -> None:
    downgrade(database_url, "0011", settings)
    sealed = Fernet(settings.data_keys[0].encode()).encrypt(b"x").decode()  # as 0011 stored
    columns = ("ref, status, category, catchphrase, body, nickname_enc, email_enc, email_bidx, "
               "phone_enc, locale, source, consent_at, consent_method, policy_version, "
               "created_at")

    async def run(sql: str, **params: Any) -> list[Any]:
        engine = create_engine(database_url)
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            rows = list(result.all()) if result.returns_rows else []
        await engine.dispose()
        return rows

    for ref, status, body in (("OU-MIG-0001", "new", "移行前の高齢者支援"),
                              ("OU-MIG-0002", "unverified", "移行前の高齢者支援"),
                              ("OU-MIG-0003", "completed", "子ども食堂")):
        asyncio.run(run(
            f"INSERT INTO proposal ({columns}) VALUES (:ref, :status, 'elderly', 'c', :body, "  # noqa: S608
            ":x, :x, :ref, :x, 'ja', 'web', :at, 'web_form', 'v', :at)",
            ref=ref, status=status, body=body, at=utcnow(), x=sealed))
    upgrade(database_url, "head", settings)

    async def search_index(term: str) -> list[int]:
        engine = create_engine(database_url)
        async with session_factory(engine)() as db:
            ids, _ = await intake.search.find(
                db, [col(Proposal.status) != "unverified"], term, after=None, oldest=True,
                limit=10)
        await engine.dispose()
        return ids

    previous = intake.search.SCAN_WINDOW
    intake.search.SCAN_WINDOW = 0
    try:
        [first] = asyncio.run(run("SELECT id FROM proposal WHERE ref = 'OU-MIG-0001'"))
        [third] = asyncio.run(run("SELECT id FROM proposal WHERE ref = 'OU-MIG-0003'"))
        assert asyncio.run(search_index("高齢者")) == [first[0]]
        assert asyncio.run(search_index("食堂")) == [third[0]]
    finally:
        intake.search.SCAN_WINDOW = previous
    downgrade(database_url, "0011", settings)
    names = asyncio.run(run(
        "SELECT name FROM sqlite_master WHERE name LIKE 'proposal_grams%'"
        if database_url.startswith("sqlite") else
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'proposal_grams%'"))
    assert names == []
    upgrade(database_url, "head", settings)


async def test_taking_out_a_proposal_the_index_never_held_leaves_the_index_sound(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """Deleting words a row never had would corrupt SQLite's contentless FTS5 table (the
    database then reports itself malformed); unindex skips such a row."""
    never = await make_proposal(app, ref="OU-NEVER-0001", body="垂水区で見守りをします。",
                                status="unverified")  # not indexed
    async with app.state.sessions() as db, db.begin():
        await db.exec(update(Proposal).where(col(Proposal.id) == never.id).values(status="new"))
    async with app.state.sessions() as db, db.begin():
        await intake.search.unindex(db, never.id or 0)  # the index is empty
        await intake.search.unindex(db, never.id or 0)  # again
        await intake.search.unindex(db, 999_999)  # no such proposal
    kept = await make_proposal(app, ref="OU-KEPT-00002", body="須磨区で配食の手伝いをします。")
    async with app.state.sessions() as db:
        conn = await db.connection()
        if conn.dialect.name == "sqlite":
            # FTS5's own check of its index (raises "database disk image is malformed").
            await conn.exec_driver_sql(
                "INSERT INTO proposal_grams(proposal_grams) VALUES ('integrity-check')")
        ids, _ = await intake.search.find(db, [], "配食", after=None, oldest=True, limit=5)
    assert ids == [kept.id]
