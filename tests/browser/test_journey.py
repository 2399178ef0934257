"""A citizen's whole journey in Chromium, in Japanese, with axe-core on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import wait_for_mail

pytestmark = pytest.mark.browser


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
