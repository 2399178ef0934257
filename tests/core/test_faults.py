"""Faults beneath the application: an unreachable database, a read-only database file, a full
disk. Every request answers 503 with a page that says to try again — a form comes back with
what was typed —, /readyz fails while the database cannot take a write, and the service
recovers by itself."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app import create_app
from core.settings import Settings
from tests.conftest import VALID_FORM, csrf_of, running, started_of

TYPED = "停電の日も届く見守り弁当"


async def submit_typed(client: httpx.AsyncClient) -> httpx.Response:
    page = await client.get("/apply")
    form = {**VALID_FORM, "catchphrase": TYPED, "_csrf_token": csrf_of(page.text),
            "_started": started_of(page.text)}
    return await client.post("/apply/submit", data=form, follow_redirects=False)


def assert_try_again(response: httpx.Response) -> None:
    assert response.status_code == 503, response.status_code
    assert "しばらくしてから" in response.text or "数分後" in response.text


async def test_an_unreachable_database_is_503_not_500(settings: Settings) -> None:
    down = settings.with_changes(database_url="postgresql+asyncpg://ouen@127.0.0.1:9/none")
    async with running(create_app(down)) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503
        assert_try_again(await client.get("/projects"))
        answer = await submit_typed(client)
        assert_try_again(answer)
        assert TYPED in answer.text  # the confirmation page again, with what was typed


async def test_a_read_only_database_file(settings: Settings, tmp_path: Path) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("a database file: SQLite")
    path = settings.database_url.split("///", 1)[1]
    read_only = settings.with_changes(
        database_url=f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    async with running(create_app(read_only)) as client:
        assert (await client.get("/")).status_code == 200  # reading still works
        assert (await client.get("/readyz")).status_code == 503
        answer = await submit_typed(client)
        assert_try_again(answer)
        assert TYPED in answer.text


@contextlib.contextmanager
def small_disk(where: Path, size_kb: int) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs",
                           str(where)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs CAP_SYS_ADMIN)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


async def test_a_full_disk_then_room_again(settings: Settings, tmp_path: Path) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("a full disk under the database file: SQLite")
    source = Path(settings.database_url.split("///", 1)[1])
    with small_disk(tmp_path / "disk", 4096) as disk:
        shutil.copy(source, disk / "ouen.db")
        full = settings.with_changes(database_url=f"sqlite+aiosqlite:///{disk}/ouen.db")
        async with running(create_app(full)) as client:
            assert (await client.get("/readyz")).status_code == 200
            filler = disk / "filler"
            with contextlib.suppress(OSError), filler.open("wb") as out:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            await asyncio.sleep(1.1)  # past the probe's once-a-second cache
            assert (await client.get("/readyz")).status_code == 503
            answer = await submit_typed(client)
            assert_try_again(answer)
            assert TYPED in answer.text
            filler.unlink()
            await asyncio.sleep(1.1)
            assert (await client.get("/readyz")).status_code == 200  # recovered by itself
            stored = await submit_typed(client)
            assert stored.status_code == 303
