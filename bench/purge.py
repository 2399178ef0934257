"""Retention benchmark: `ouen purge` on many proposals, 10 % of them closed long ago, while
citizens keep submitting.

For each database (SQLite, and PostgreSQL when reachable): BENCH_PURGE_SIZE proposals
(default 1 000 000) are loaded, every tenth is made a case completed 400 days ago, and then
`ouen purge` runs while a paced client offers POST /apply/submit at 100 requests/s (open
loop, latency from each request's scheduled time). Printed: how long the purge took, what it
erased, and p50/p99/errors of the submissions sent while it ran."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text

from bench.intake import (
    PY,
    ROOT,
    STUB,
    Open,
    free_port,
    paced,
    pg_database,
    prepared_body,
    start_server,
)
from core.crypto import FieldCipher
from core.db import create_engine
from core.migrate import upgrade
from intake.demo import create_proposals

SIZE = int(os.environ.get("BENCH_PURGE_SIZE", "1000000"))
RATE = 100


async def load(url: str, cipher: FieldCipher) -> int:
    """SIZE proposals; every tenth closed as completed 400 days ago. Returns how many."""
    engine = create_engine(url)
    try:
        await create_proposals(engine, cipher, SIZE)
        async with engine.begin() as conn:
            due = await conn.execute(text(
                "UPDATE proposal SET status = 'completed', closed_at = :at WHERE id % 10 = 0"),
                {"at": "2025-10-01 00:00:00"})
        return int(due.rowcount)
    finally:
        await engine.dispose()


async def while_purging(base: str, env: dict[str, str]) -> tuple[Open, float, str]:
    """Submissions at RATE per second for as long as `ouen purge` runs."""
    body, cookie = prepared_body(base, False)
    started = time.monotonic()
    purge = await asyncio.create_subprocess_exec(
        PY, "-m", "cli", "purge", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE)
    load_task = asyncio.create_task(_until(purge, base + "/apply/submit", body, cookie))
    out, _ = await purge.communicate()
    elapsed = time.monotonic() - started
    return await load_task, elapsed, out.decode()


async def _until(purge: asyncio.subprocess.Process, url: str, body: str, cookie: str) -> Open:
    """Paced rounds of 5 s until the purge has ended; the figures of all rounds together."""
    rounds: list[Open] = []
    while purge.returncode is None:
        rounds.append(await paced(url, body, cookie, rate=RATE, seconds=5))
    latencies = sorted(x for r in rounds for x in r.latencies)
    if not latencies:
        return Open(0.0, 0.0, 0, 0)
    return Open(p50=latencies[len(latencies) // 2],
                p99=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                errors=sum(r.errors for r in rounds), sent=len(latencies))


def bench_database(label: str, url: str, workdir: Path) -> None:
    upgrade(url)
    key = Fernet.generate_key().decode()
    env = {
        **os.environ, "OUEN_ENV": "development", "OUEN_DATABASE_URL": url,
        "OUEN_VAR_DIR": str(workdir), "OUEN_DATA_KEYS": key, "OUEN_INDEX_KEY": "i" * 40,
        "OUEN_SECRET_KEY": "s" * 40, "OUEN_AUDIT_KEY": "a" * 40, "OUEN_MAIL_BACKEND": "file",
        "OUEN_CAPTCHA": "hcaptcha", "OUEN_HCAPTCHA_SITEKEY": "bench-site",
        "OUEN_HCAPTCHA_SECRET": "bench-secret", "OUEN_INPROCESS_WORKER": "0",
        "OUEN_FORM_MIN_SECONDS": "0", "OUEN_SUBMIT_LIMIT_IP_PER_HOUR": "100000000",
        "OUEN_SUBMIT_LIMIT_EMAIL_PER_HOUR": "100000000", "OUEN_LOG_LEVEL": "WARNING",
    }
    started = time.monotonic()
    due = asyncio.run(load(url, FieldCipher((key,), "i" * 40)))
    print(f"\n== {label}: {SIZE} proposals, {due} closed 400 days ago "
          f"(loaded in {time.monotonic() - started:.0f} s) ==")
    stub_port, app_port = free_port(), free_port()
    stub = subprocess.Popen([PY, "-c", STUB, str(stub_port)])
    env["OUEN_HCAPTCHA_VERIFY_URL"] = f"http://127.0.0.1:{stub_port}/siteverify"
    env["OUEN_BASE_URL"] = f"http://127.0.0.1:{app_port}"
    server = start_server("app:main_app", app_port, env)
    try:
        opened, elapsed, printed = asyncio.run(
            while_purging(f"http://127.0.0.1:{app_port}", env))
    finally:
        server.terminate()
        server.wait(timeout=10)
        stub.terminate()
    print(f"ouen purge took {elapsed:.0f} s ({due / max(elapsed, 0.001):.0f} cases/s):")
    for line in printed.splitlines():
        print("  " + line)
    print(f"POST /apply/submit at {RATE} req/s meanwhile: p50 {opened.p50:.1f} ms, "
          f"p99 {opened.p99:.1f} ms, errors {opened.errors}/{opened.sent} "
          "(target: p99 < 100 ms)")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ouen-bench-purge-") as tmp:
        workdir = Path(tmp)
        wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
        if "sqlite" in wanted:
            bench_database("SQLite", f"sqlite+aiosqlite:///{workdir}/purge.db", workdir)
        if "postgres" in wanted:
            pg = pg_database("ouen_bench_purge")
            if pg is None:
                print("\nPostgreSQL not reachable: skipped")
            else:
                bench_database("PostgreSQL", pg, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
