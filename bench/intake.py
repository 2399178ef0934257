"""Intake benchmark: POST /apply/submit under load, against the framework floor.

For each database (SQLite, and PostgreSQL when reachable):
  1. closed loop: wrk, 32 connections, 20 s — requests/s, p50, p99, errors, ratio to floor;
  2. open loop: a paced client at a fixed 100 requests/s for 20 s — p50, p99 measured from
     each request's *scheduled* time (no coordinated omission).
The floor is a bare Litestar handler (bench/floor.py) run the same way in the same run.
The hCaptcha check goes through a local stub; the outbox worker is off (sending is not intake).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = os.environ.get("OUEN_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DURATION = int(os.environ.get("BENCH_SECONDS", "20"))
CONNECTIONS = 32
FORM = {
    "org_name": "NPO法人こうべ子ども食堂ネット", "nickname": "こうべ太郎",
    "email": "bench@example.jp", "phone": "078-322-5211",
    "website_url": "https://kodomo.example.jp/", "facebook_url": "",
    "twitter": "@kobe_kodomo", "catchphrase": "地域の子どもに温かいご飯を",
    "category": "children", "body": "長田区で子ども食堂を開きたいです。" * 20,
    "ward": "nagata", "consent": "yes", "h-captcha-response": "pass",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


STUB = """
import asyncio, sys
REPLY = b'{"success": true, "hostname": "127.0.0.1"}'
HEAD = (b"HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\n"
        b"content-length: %d\\r\\n\\r\\n" % len(REPLY))
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length = 0
            for line in head.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            writer.write(HEAD + REPLY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""


@dataclass
class Closed:
    rps: float
    p50: float
    p99: float
    errors: int
    answered: int = 0


@dataclass
class Open:
    p50: float
    p99: float
    errors: int
    sent: int
    latencies: list[float] = field(default_factory=list)


def wait_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


def start_server(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [PY, "-m", "uvicorn", module, "--host", "127.0.0.1", "--port", str(port),
           "--no-access-log", "--log-level", "warning"]
    if module.endswith("main_app"):
        cmd.append("--factory")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/healthz")
    return proc


def prepared_body(base: str, is_floor: bool) -> tuple[str, str]:
    """A body and cookie header as a browser would send them after opening the form."""
    if is_floor:
        return urlencode(FORM), ""
    with httpx.Client(base_url=base) as client:
        page = client.get("/apply")
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        started = re.search(r'name="_started" value="([^"]+)"', page.text)
        assert csrf and started
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    body = urlencode({**FORM, "_csrf_token": csrf.group(1), "_started": started.group(1)})
    return body, cookie


def run_wrk(url: str, body: str, cookie: str, workdir: Path) -> Closed:
    lua = workdir / "post.lua"
    lua.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [[{body}]]\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        + (f'wrk.headers["Cookie"] = [[{cookie}]]\n' if cookie else "")
        + "done = function(summary, latency, requests)\n"
        '  io.write(string.format("P50 %f\\nP99 %f\\n", latency:percentile(50) / 1000,'
        " latency:percentile(99) / 1000))\n"
        "end\n"
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "-s", str(lua), url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_ok.group(1)) if non_ok else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    p50 = float(re.search(r"P50 ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"P99 ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Closed(rps=rps, p50=p50, p99=p99, errors=errors, answered=total - errors)


async def paced(url: str, body: str, cookie: str, rate: int = 100,
                seconds: int = DURATION) -> Open:
    """Open loop: send at fixed times whatever the server does; latency from schedule."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["cookie"] = cookie
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1
        total = rate * seconds

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            try:
                response = await client.post(url, content=body, headers=headers)
                if response.status_code != 303:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((loop.time() - scheduled) * 1000)

        await asyncio.gather(*(one(i) for i in range(total)))
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return Open(p50=q[49], p99=q[98], errors=errors, sent=len(latencies), latencies=latencies)


def pg_database(name: str) -> str | None:
    async def go() -> str | None:
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception:
            return None
        finally:
            await engine.dispose()
        return PG_ADMIN.rpartition("/")[0] + f"/{name}"

    return asyncio.run(go())


def stored_rows(url: str) -> dict[str, int]:
    """Rows the submissions left: every 303 must stand for a proposal, a token and an email."""
    async def go() -> dict[str, int]:
        from sqlalchemy import func, select, table
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return {name: int((await conn.execute(
                    select(func.count()).select_from(table(name)))).scalar_one())
                    for name in ("proposal", "verification_token", "outbox_message")}
        finally:
            await engine.dispose()

    return asyncio.run(go())


def bench_database(label: str, url: str, workdir: Path) -> None:
    from core.migrate import upgrade

    upgrade(url)
    stub_port, app_port, floor_port = free_port(), free_port(), free_port()
    stub = subprocess.Popen([PY, "-c", STUB, str(stub_port)])
    env = {
        **os.environ, "OUEN_ENV": "development", "OUEN_DATABASE_URL": url,
        "OUEN_BASE_URL": f"http://127.0.0.1:{app_port}", "OUEN_VAR_DIR": str(workdir),
        "OUEN_DATA_KEYS": Fernet.generate_key().decode(), "OUEN_MAIL_BACKEND": "file",
        "OUEN_CAPTCHA": os.environ.get("BENCH_CAPTCHA", "hcaptcha"),
        "OUEN_HCAPTCHA_SITEKEY": "bench-site",
        "OUEN_HCAPTCHA_SECRET": "bench-secret",
        "OUEN_HCAPTCHA_VERIFY_URL": f"http://127.0.0.1:{stub_port}/siteverify",
        "OUEN_INPROCESS_WORKER": "0", "OUEN_FORM_MIN_SECONDS": "0",
        "OUEN_SUBMIT_LIMIT_IP_PER_HOUR": "100000000",
        "OUEN_SUBMIT_LIMIT_EMAIL_PER_HOUR": "100000000", "OUEN_LOG_LEVEL": "WARNING",
    }
    results: dict[str, tuple[Closed, Open]] = {}
    try:
        for name, module, port in (("floor", "bench.floor:app", floor_port),
                                   ("ouen", "app:main_app", app_port)):
            proc = start_server(module, port, env)
            try:
                base = f"http://127.0.0.1:{port}"
                body, cookie = prepared_body(base, name == "floor")
                closed = run_wrk(base + "/apply/submit", body, cookie, workdir)
                time.sleep(2)
                opened = asyncio.run(paced(base + "/apply/submit", body, cookie))
                results[name] = (closed, opened)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
    finally:
        stub.terminate()
    floor, ouen = results["floor"], results["ouen"]
    rows = stored_rows(url)
    print(f"\n== {label}: POST /apply/submit, {CONNECTIONS} connections, {DURATION} s (wrk) ==")
    print(f"{'':8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, (c, _o) in (("floor", floor), ("ouen", ouen)):
        print(f"{name:8}{c.rps:10.1f}{c.p50:10.1f}{c.p99:10.1f}{c.errors:8d}")
    print(f"ratio ouen/floor at saturation: {ouen[0].rps / floor[0].rps:.2f}  (target >= 0.5)")
    print(f"-- fixed offered rate 100 req/s for {DURATION} s (paced client, open loop) --")
    for name, (_c, o) in (("floor", floor), ("ouen", ouen)):
        print(f"{name:8} p50 {o.p50:7.1f} ms  p99 {o.p99:7.1f} ms  errors {o.errors}/{o.sent}")
    print("target: ouen p99 < 100 ms at 100 req/s, 0 errors")
    answered = ouen[0].answered + ouen[1].sent - ouen[1].errors
    print(f"stored: {rows['proposal']} proposals, {rows['verification_token']} tokens, "
          f"{rows['outbox_message']} emails queued for {answered} answered submissions"
          " (wrk may leave a few in flight at its end; those are stored but not counted)")


def main() -> int:
    if shutil.which("wrk") is None:
        print("bench: needs wrk (Debian package `wrk`: apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ouen-bench-") as tmp:
        workdir = Path(tmp)
        wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
        if "sqlite" in wanted:
            bench_database("SQLite", f"sqlite+aiosqlite:///{workdir}/bench.db", workdir)
        pg = pg_database("ouen_bench") if "postgres" in wanted else None
        if "postgres" not in wanted:
            pass
        elif pg is None:
            print("\nPostgreSQL not reachable: skipped")
        else:
            bench_database("PostgreSQL", pg, workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
