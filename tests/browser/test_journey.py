"""A citizen's whole journey in Chromium, in Japanese, with axe-core on every page."""

from __future__ import annotations

import os
import re
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

pytestmark = pytest.mark.browser

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
        audit_key="browser-audit-" + "y" * 32, mail_backend="smtp", smtp_host="127.0.0.1",
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
    yield LiveServer(url=settings.base_url, smtp=smtp)
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


def wait_for_mail(smtp: SmtpCapture, count: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while len(smtp.messages) < count:
        assert time.monotonic() < deadline, "the confirmation email did not arrive"
        time.sleep(0.2)


def test_citizen_proposes_confirms_and_is_told_what_happens_next(
    page: Any, live: LiveServer
) -> None:
    page.goto(live.url + "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert_accessible(page, "home")
    page.get_by_role("link", name="応援したいことを応募する").first.click()

    page.wait_for_url(re.compile(r"/apply$"))
    assert_accessible(page, "form")
    # Submitting empty first: the error summary links to the fields.
    page.get_by_role("button", name="入力内容の確認").click()
    summary = page.get_by_role("alert").filter(has_text="次の項目を修正してください")
    assert summary.is_visible()
    assert "「キャッチフレーズ」を入力してください。" in summary.inner_text()
    assert_accessible(page, "form with errors")

    page.get_by_label("団体名").fill("こうべ子ども食堂ネット")
    page.get_by_label("連絡用ニックネーム（団体の場合は所属名）").fill("こうべ花子")
    page.get_by_label("Eメール").fill("hanako.kobe@example.jp")
    page.get_by_label("電話番号").fill("０９０－１２３４－５６７８")
    page.get_by_label("キャッチフレーズ").fill("地域の子どもに温かいご飯を")
    page.get_by_label("カテゴリ").select_option("children")
    page.get_by_label("応援内容").fill("長田区で子ども食堂を開きたいです。\n会場の協力者を探しています。")
    page.get_by_label("活動地域").select_option("nagata")
    page.get_by_label("個人情報保護方針を確認しました").check()
    page.get_by_role("button", name="入力内容の確認").click()

    page.get_by_role("heading", name="入力内容の確認").wait_for()
    assert "hanako.kobe@example.jp" in page.content()
    assert "長田区" in page.content()
    assert_accessible(page, "confirmation")
    page.get_by_role("button", name="送信する").click()

    page.wait_for_url(re.compile(r"/apply/sent$"))
    assert page.get_by_role("heading", name="メールをご確認ください").is_visible()
    assert_accessible(page, "sent")

    wait_for_mail(live.smtp, 1)
    message = live.smtp.messages[0]
    assert message["To"] == "hanako.kobe@example.jp"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    link = re.search(r"http://127\.0\.0\.1:\d+/verify/[A-Za-z0-9_\-]+", body.get_content())
    assert link, "no link in the email"

    page.goto(link.group(0))
    assert_accessible(page, "verify")
    page.get_by_role("button", name="応募を確定する").click()
    page.get_by_role("heading", name="ご応募を受け付けました").wait_for()
    assert "数日以内に運営事務局からメールまたは電話でご連絡" in page.content()
    assert_accessible(page, "done")


def test_public_pages_in_english_are_accessible(page: Any, live: LiveServer) -> None:
    for path, what in (("/?lang=en", "home (en)"), ("/apply", "form (en)"),
                       ("/privacy", "privacy (en)"), ("/nowhere", "404 (en)")):
        page.goto(live.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page, what)
    page.goto(live.url + "/?lang=ja")
    assert page.locator("html").get_attribute("lang") == "ja"


def test_keyboard_user_can_skip_to_content(page: Any, live: LiveServer) -> None:
    page.goto(live.url + "/apply")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "本文へ移動"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
