"""Back-office benchmark: p50/p95 of the proposal list with filters, Japanese searches (a
common word, a rare word only in the oldest proposals, no match, bigrams present but apart,
a common word with filters, one character) and the case page, at growing numbers of
proposals, on SQLite and PostgreSQL.

Requests go through the whole application in-process (ASGI, one at a time), signed in as
a coordinator, so the figures are server time without network or load-generator noise."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from cryptography.fernet import Fernet
from litestar import Litestar
from sqlalchemy import text

from admin.models import Stage
from admin.services import create_user
from app import create_app
from bench.intake import pg_database
from core.crypto import FieldCipher
from core.db import create_engine, utcnow
from core.migrate import upgrade
from core.models import RecordKey
from core.settings import Settings
from core.web import search_sealer
from intake.contact import sealed
from intake.demo import create_proposals
from intake.models import Proposal, ProposalStatus
from intake.search import index_proposal

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
RARE = "ひまわり畑"  # not in the demo vocabulary: only the three oldest proposals have it
QUERIES = {
    "list (status+category)": "/admin/proposals?status=new&category=elderly",
    "list (ward+assignee none)": "/admin/proposals?ward=nada&assignee=none",
    "search 高齢 (common word)": "SEARCH:高齢",
    "search rare word, oldest 3 only": f"SEARCH:{RARE}",
    "search, no match": "SEARCH:存在しない",
    "search, bigrams present but apart": "SEARCH:たちの翻訳",
    "search 高齢 + status + category": "SEARCH:高齢&status=declined&category=npo",
    "search 高齢 + category + ward": "SEARCH:高齢&category=npo&ward=nada",
    "search one character 翻": "SEARCH:翻",
    "case page": "DETAIL",
}


async def measure(client: httpx.AsyncClient, path: str, top: int) -> tuple[float, float]:
    rng = random.Random(3)
    times = []
    for n in range(REQUESTS + 10):
        url = f"/admin/proposals/{rng.randint(1, top)}" if path == "DETAIL" else path
        started = time.perf_counter()
        response = await client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if n >= 10:
            times.append(elapsed)
    q = statistics.quantiles(times, n=100)
    return q[49], q[94]


def contact_columns(cipher: FieldCipher, now: datetime, **contact: str | None) -> dict[str, Any]:
    key, columns = sealed(cipher, contact, now)
    return {**columns, "key": RecordKey(**key)}


async def add_rare(app: Litestar) -> None:
    """Three proposals with a word no demo proposal has, before all the others."""
    cipher, at = app.state.cipher, utcnow() - timedelta(days=800)
    async with app.state.sessions() as db, db.begin():
        for n in range(3):
            proposal = Proposal(
                **contact_columns(cipher, utcnow(), nickname="x", email="x@example.jp",
                                  phone="0120000000"),
                ref=f"BENCH-RARE-{n}", status=ProposalStatus.NEW, category="community", ward="nada",
                catchphrase="夏の地域活動", body=f"{RARE}の草取りを手伝います（{n}）。",
                email_bidx=cipher.blind_index(f"rare{n}@example.jp"),
                locale="ja", consent_at=at,
                policy_version="2026-11-01", created_at=at, verified_at=at)
            db.add(proposal)
            await db.flush()
            await index_proposal(db, proposal)


async def bench(label: str, url: str, workdir: Path) -> None:
    settings = Settings(env="test", database_url=url, base_url="http://bench.local",
                        secret_key="bench-" + "k" * 40, data_keys=(Fernet.generate_key().decode(),),
                        audit_key="bench-" + "a" * 40, index_key="bench-" + "i" * 40,
                        var_dir=str(workdir),
                        inprocess_worker=False)
    app = create_app(settings)
    engine = create_engine(url)
    loaded = 0
    async with app.lifespan():
        async with app.state.sessions() as db, db.begin():
            user, _ = await create_user(db, app.state.passwords, app.state.audit,
                                        email="bench@city.example.jp", role="coordinator")
            user.must_change_password = False
            db.add(user)
            assert user.id is not None
            token = await app.state.session_store.create(db, user.id, Stage.FULL)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            client.cookies.set("ouen_staff", token, path="/admin")
            await add_rare(app)
            loaded = 3
            for size in SIZES:
                started = time.perf_counter()
                await create_proposals(engine, app.state.cipher, size - loaded, offset=loaded)
                if not url.startswith("sqlite"):
                    # Fresh statistics, as autovacuum would gather after a bulk load; in a
                    # transaction that commits (a rolled-back ANALYZE leaves none).
                    async with engine.begin() as conn:
                        await conn.execute(text("ANALYZE proposal"))
                        await conn.execute(text("ANALYZE proposal_grams"))
                loaded = size
                print(f"\n== {label}, {size:,} proposals (loaded in "
                      f"{time.perf_counter() - started:.0f} s) ==")
                for name, path in QUERIES.items():
                    if path.startswith("SEARCH:"):
                        # The search term travels sealed (?qe=...), as the form sends it.
                        term, _, rest = path.removeprefix("SEARCH:").partition("&")
                        sealed = search_sealer(settings.secret_key).seal(term, f"staff:{user.id}")
                        path = "/admin/proposals?" + urlencode({"qe": sealed})
                        path += f"&{rest}" if rest else ""
                    p50, p95 = await measure(client, path, size)
                    print(f"  {name:32} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
                sys.stdout.flush()
    await engine.dispose()


def main() -> int:
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    with tempfile.TemporaryDirectory(prefix="ouen-bench-cases-") as tmp:
        workdir = Path(tmp)
        if "sqlite" in wanted:
            url = f"sqlite+aiosqlite:///{workdir}/cases.db"
            upgrade(url)
            asyncio.run(bench("SQLite", url, workdir))
        if "postgres" in wanted:
            pg = pg_database("ouen_bench_cases")
            if pg is None:
                print("\nPostgreSQL not reachable: skipped")
            else:
                upgrade(pg)
                asyncio.run(bench("PostgreSQL", pg, workdir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
