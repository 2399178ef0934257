"""Public site benchmark: /projects and a story page with 10,000 published stories.

For each database (SQLite, and PostgreSQL when reachable), one uvicorn worker each:
  1. closed loop, wrk -t2 -c32 for BENCH_SECONDS (default 20 s): requests/s and p99 of
     - the floor: a bare Litestar handler selecting one story by slug and rendering a
       template of the same size (bench/story_floor.py), measured in the same run;
     - ouen's story page (one popular story), and over random stories of all 10,000;
     - ouen's story page as a conditional GET that matches (304);
     - ouen's /projects;
  2. open loop: a paced client at a fixed 500 requests/s on the story page, latency from
     each request's scheduled time (no coordinated omission): p50, p99.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import insert

from bench.intake import free_port, pg_database, start_server
from core.db import create_engine, utcnow

DURATION = int(os.environ.get("BENCH_SECONDS", "20"))
STORIES = int(os.environ.get("BENCH_STORIES", "10000"))
RATE = int(os.environ.get("BENCH_RATE", "500"))
CONNECTIONS = 32
PARAGRAPH = "長田区の商店街で、毎週土曜日に子ども食堂を開いています。学生が配膳を手伝い、"


@dataclass
class Closed:
    rps: float
    p99: float
    errors: int


def story_body(i: int) -> str:
    return "".join(
        f"<h2>第{n}章</h2><p>{PARAGRAPH * 4}（{i}）</p><ul><li>毎週土曜日</li><li>30食</li></ul>"
        for n in range(1, 6)
    )


async def seed(url: str) -> None:
    from intake.models import Proposal
    from publishing.models import Story

    engine = create_engine(url)
    cipher_text = Fernet(Fernet.generate_key()).encrypt(b"fictional").decode()
    now = utcnow()
    async with engine.begin() as conn:
        from admin.models import StaffUser

        await conn.execute(insert(StaffUser.__table__), [dict(  # type: ignore[attr-defined]
            email="bench.editor@city.example.jp", display_name="bench", organisation="bench",
            role="editor", active=True, password_hash="x", must_change_password=False,
            totp_required=False, failed_logins=0, created_at=now)])
        await conn.execute(insert(Proposal.__table__), [dict(  # type: ignore[attr-defined]
            ref="OU-BENCH-0001", status="active", category="children", ward="nagata",
            catchphrase="bench", body="bench", nickname_enc=cipher_text,
            email_enc=cipher_text, email_bidx="x", phone_enc=cipher_text, locale="ja",
            source="web", consent_at=now, consent_method="web_form",
            policy_version="2026-11-01", created_at=now, verified_at=now)])
        rows = []
        categories = ("children", "elderly", "community", "restaurants", "students")
        wards = ("nagata", "chuo", "nada", "kita", "suma")
        for i in range(STORIES):
            at = now - timedelta(minutes=STORIES - i)
            rows.append(dict(
                proposal_id=1, project_id=None, slug=f"story-{i:05d}",
                title=f"子ども食堂のストーリー {i}", summary="商店街の空き店舗で毎週土曜日に。",
                body_md="-", body_html=story_body(i), category=categories[i % 5],
                ward=wards[i % 5], status="published", author_id=1, created_at=at,
                updated_at=at, published_at=at, version=1, change_request="",
                change_request_by=""))
            if len(rows) == 1000:
                await conn.execute(insert(Story.__table__), rows)  # type: ignore[attr-defined]
                rows = []
        if rows:
            await conn.execute(insert(Story.__table__), rows)  # type: ignore[attr-defined]
    await engine.dispose()


def wrk(url: str, workdir: Path, headers: dict[str, str] | None = None,
        random_slugs: bool = False) -> Closed:
    lua = workdir / "bench.lua"
    script = "".join(f'wrk.headers["{k}"] = [[{v}]]\n' for k, v in (headers or {}).items())
    if random_slugs:
        script += (
            f"math.randomseed(7)\nrequest = function()\n"
            f'  return wrk.format("GET", string.format("/projects/story-%05d", '
            f"math.random(0, {STORIES - 1})))\nend\n"
        )
    script += (
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("P99 %f\\n", latency:percentile(99) / 1000))\n'
        "end\n"
    )
    lua.write_text(script)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "-s", str(lua), url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    errors = (int(non_ok.group(1)) if non_ok else 0) + (
        sum(int(x) for x in sockets.groups()) if sockets else 0)
    p99 = float(re.search(r"P99 ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return Closed(rps, p99, errors)


async def paced(port: int, path: str, rate: int, seconds: int) -> tuple[float, float, int, int]:
    """Open loop over raw keep-alive connections (a light client, so that the load generator
    does not take the server's CPU): a request is due every 1/rate s; latency counts from
    when it was due. Returns p50, p99 (ms), errors, requests."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").encode()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(64):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors = 0
    start_at = loop.time() + 0.2
    total = rate * seconds

    async def one(i: int) -> None:
        nonlocal errors
        due = start_at + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        reader, writer = await pool.get()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            if status != 200:
                errors += 1
        except (OSError, asyncio.IncompleteReadError, AttributeError, ValueError):
            errors += 1
        finally:
            pool.put_nowait((reader, writer))
        latencies.append((loop.time() - due) * 1000)

    await asyncio.gather(*(one(i) for i in range(total)))
    while not pool.empty():
        _reader, writer = pool.get_nowait()
        writer.close()
    q = statistics.quantiles(latencies, n=100)
    return q[49], q[98], errors, len(latencies)


def bench_database(label: str, url: str, workdir: Path) -> None:
    from core.migrate import upgrade

    upgrade(url)
    started = time.perf_counter()
    asyncio.run(seed(url))
    print(f"\n== {label}: {STORIES:,} published stories (seeded in "
          f"{time.perf_counter() - started:.0f} s) ==")
    app_port, floor_port = free_port(), free_port()
    env = {
        **os.environ, "OUEN_ENV": "development", "OUEN_DATABASE_URL": url,
        "OUEN_BASE_URL": f"http://127.0.0.1:{app_port}", "OUEN_VAR_DIR": str(workdir),
        "OUEN_DATA_KEYS": Fernet.generate_key().decode(), "OUEN_MAIL_BACKEND": "file",
        "OUEN_CAPTCHA": "disabled", "OUEN_INPROCESS_WORKER": "0", "OUEN_LOG_LEVEL": "WARNING",
    }
    slug = f"story-{STORIES // 2:05d}"
    proc = start_server("app:main_app", app_port, env)
    try:
        base = f"http://127.0.0.1:{app_port}"
        page = httpx.get(f"{base}/projects/{slug}")
        assert page.status_code == 200, page.status_code
        etag = page.headers["etag"]
        size = len(page.content)
        story = wrk(f"{base}/projects/{slug}", workdir)
        conditional = wrk(f"{base}/projects/{slug}", workdir, {"If-None-Match": etag})
        spread = wrk(base, workdir, random_slugs=True)
        listing = wrk(f"{base}/projects", workdir)
        time.sleep(1)
        p50, p99, errors, sent = asyncio.run(paced(app_port, f"/projects/{slug}", RATE, DURATION))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    floor_env = {**env, "FLOOR_PAD": str(max(0, size - 9000))}
    proc = start_server("bench.story_floor:app", floor_port, floor_env)
    try:
        floor_base = f"http://127.0.0.1:{floor_port}"
        pad = size - len(httpx.get(f"{floor_base}/projects/{slug}").content)
        if pad:
            proc.terminate()
            proc.wait(timeout=10)
            floor_env["FLOOR_PAD"] = str(max(0, int(floor_env["FLOOR_PAD"]) + pad))
            proc = start_server("bench.story_floor:app", floor_port, floor_env)
        floor_size = len(httpx.get(f"{floor_base}/projects/{slug}").content)
        floor = wrk(f"{floor_base}/projects/{slug}", workdir)
        floor_spread = wrk(floor_base, workdir, random_slugs=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"page size: ouen {size:,} bytes, floor {floor_size:,} bytes")
    print(f"{'':34} {'req/s':>9} {'p99 ms':>8} {'errors':>7} {'× floor':>8}")
    for name, result, against in (
        ("floor, one story", floor, floor),
        ("ouen story page, one story", story, floor),
        ("ouen story page, 304", conditional, floor),
        ("floor, random of all stories", floor_spread, floor_spread),
        ("ouen story page, random stories", spread, floor_spread),
        ("ouen /projects", listing, floor),
    ):
        print(f"{name:34} {result.rps:9.0f} {result.p99:8.1f} {result.errors:7d} "
              f"{result.rps / against.rps:8.2f}")
    print(f"ouen story page at a fixed {RATE} req/s for {DURATION} s: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, {errors} errors of {sent}")


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench/stories.py needs wrk (Debian package wrk)")
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    workdir = Path(tempfile.mkdtemp(prefix="ouen-bench-stories-"))
    try:
        if "sqlite" in databases:
            bench_database("SQLite", f"sqlite+aiosqlite:///{workdir}/stories.db", workdir)
        if "postgres" in databases:
            url = pg_database("ouen_bench_stories")
            if url is None:
                print("\n(PostgreSQL not reachable: skipped)")
            else:
                bench_database("PostgreSQL", url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
