"""Browser fixtures: the real app under uvicorn, Chromium through Playwright, axe-core."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from app import create_app
from core.settings import Settings
from tests.conftest import TEST_DATA_KEY, SmtpCapture, free_port

CHROMIUM = os.environ.get("OUEN_CHROMIUM", "/usr/bin/chromium")
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("OUEN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Chromium not installed")


@dataclass
class LiveServer:
    url: str
    smtp: SmtpCapture
    settings: Settings


@pytest.fixture
def live(tmp_path: Path, sqlite_template: Path) -> Iterator[LiveServer]:
    """The real app under uvicorn on a free port, with the outbox worker running in-process."""
    db = tmp_path / "ouen.db"
    shutil.copy(sqlite_template, db)
    smtp = SmtpCapture(port=free_port())
    smtp.start()
    port = free_port()
    settings = Settings(
        env="test", database_url=f"sqlite+aiosqlite:///{db}", base_url=f"http://127.0.0.1:{port}",
        secret_key="browser-secret-" + "x" * 32, data_keys=(TEST_DATA_KEY,),
        audit_key="browser-audit-" + "y" * 32,
        index_key="browser-index-" + "z" * 32, mail_backend="smtp", smtp_host="127.0.0.1",
        smtp_port=smtp.port, smtp_security="none", mail_from="ouen@city.example.jp",
        var_dir=str(tmp_path), inprocess_worker=True, form_min_seconds=0.0,
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield LiveServer(url=settings.base_url, smtp=smtp, settings=settings)
    server.should_exit = True
    thread.join(timeout=10)
    smtp.stop()


@pytest.fixture
def page(live: LiveServer) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        context = browser.new_context(locale="ja-JP")
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()


def assert_accessible(page: Any, what: str) -> None:
    # evaluate() runs over the DevTools protocol, so our CSP does not block axe.
    page.evaluate(AXE)
    violations = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(' '))}));
        }""",
        AXE_TAGS,
    )
    assert violations == [], f"axe-core found problems on the {what} page: {violations}"


