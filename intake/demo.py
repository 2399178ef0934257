"""`ouen demo-data`: fictional proposals in bulk, for trying the back office and benchmarks.

Every contact value is fictional (example.jp addresses, 0120-000-xxx numbers). Contact data
is sealed like real data, each row under its own record key (so retention and erasure
behave as with real rows); the values come from a pool of 200 fictional people."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.crypto import FieldCipher
from core.db import utcnow
from core.models import RecordKey
from intake.contact import sealed
from intake.models import Proposal
from intake.search import index_rows
from intake.vocabulary import CATEGORIES, WARDS

STATUSES = (["new"] * 3 + ["in_contact"] * 3 + ["seeking"] * 2 + ["matched", "active"]
            + ["completed"] * 4 + ["declined", "withdrawn", "spam"])
WHO = ("高齢の方", "子どもたち", "留学生", "障がいのある方", "医療従事者", "商店街の飲食店",
       "外国人住民", "ひとり親家庭", "地域の学生", "NPOの仲間")
WHAT = ("買い物の付き添い", "子ども食堂の運営", "オンライン交流会", "配食サービス", "学習支援",
        "翻訳ボランティア", "チラシの配布", "見守り活動", "スマホ教室", "フードバンク")
HOW = ("会場を無償で提供します。", "車での配送を手伝えます。", "週末に人手を出せます。",
       "寄付を集めます。", "SNSで広報します。", "専門知識を活かします。")


def _text(rng: random.Random) -> tuple[str, str]:
    who, what = rng.choice(WHO), rng.choice(WHAT)
    catch = f"{who}のための{what}"[:60]
    body = (f"{rng.choice(WARD_NAMES)}で{who}を応援したいです。{what}を始めたいと考えています。"
            f"{rng.choice(HOW)}{rng.choice(HOW)}")
    return catch, body


WARD_NAMES = ("東灘区", "灘区", "中央区", "兵庫区", "北区", "長田区", "須磨区", "垂水区", "西区")


async def create_proposals(
    engine: AsyncEngine, cipher: FieldCipher, count: int, seed: int = 7, batch: int = 5000,
    now: datetime | None = None, offset: int = 0,
) -> int:
    """Insert `count` verified proposals spread over the last two years (`offset` numbers
    the references when adding to earlier demo data)."""
    rng = random.Random(seed + offset)  # noqa: S311 - fictional data, not secrets
    now = now or utcnow()
    pool = [(f"デモ利用者{n:03d}", f"demo{n:03d}@example.jp", f"0120000{n:03d}")
            for n in range(200)]
    bidx = {email: cipher.blind_index(email) for _name, email, _phone in pool}
    table: Table = Proposal.__table__  # type: ignore[attr-defined]
    keys_table: Table = RecordKey.__table__  # type: ignore[attr-defined]
    span = timedelta(days=730).total_seconds()
    created = 0
    while created < count:
        rows: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for _ in range(min(batch, count - created)):
            at = now - timedelta(seconds=span * (1 - (created + len(rows)) / count))
            catch, body = _text(rng)
            name, email, phone = rng.choice(pool)
            key, columns = sealed(cipher, {"nickname": name, "email": email, "phone": phone,
                                           "website_url": None, "facebook_url": None,
                                           "twitter": None}, at)
            keys.append(key)
            rows.append({
                **columns, "email_bidx": bidx[email],
                "ref": f"DM-{offset + created + len(rows):08d}",
                "status": rng.choice(STATUSES), "category": rng.choice(CATEGORIES),
                "ward": rng.choice(WARDS), "org_name": None, "catchphrase": catch, "body": body,
                "locale": "ja", "source": "web", "consent_at": at, "consent_method": "web_form",
                "policy_version": "2026-11-01", "created_at": at, "verified_at": at,
            })
        async with engine.begin() as conn:
            before = (await conn.execute(select(func.max(table.c.id)))).scalar() or 0
            await conn.execute(insert(keys_table), keys)
            await conn.execute(insert(table), rows)
            # Indexed for search in the same transaction, as verification would (search.py);
            # read back by id (RETURNING in input order would insert one row at a time).
            added = await conn.execute(
                select(table.c.id, table.c.catchphrase, table.c.body)
                .where(table.c.id > before, table.c.status != "unverified"))
            await index_rows(conn, [tuple(row) for row in added])
        created += len(rows)
    return created
