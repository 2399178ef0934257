"""A person's own data in Chromium: from the footer's link to /my, the email, the page of
what we hold, the download, a correction, withdrawal and erasure; then a coordinator records
a request that came by phone. axe-core on every page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import mail_to, second_factor, seed, sign_in, text_of

pytestmark = pytest.mark.browser
EMAIL, REF = "taro.kobe@example.jp", "OU-LATE-0001"  # seeded by `seed`
NEW_PHONE = "090-4444-5555"


def test_a_person_sees_downloads_corrects_withdraws_and_erases(
    page: Any, live: LiveServer
) -> None:
    seed(live, "editor", "editor.my@city.example.jp")
    page.goto(live.url + "/")
    footer = page.locator("footer")
    assert "078-555-0100" in footer.inner_text() or "問い合わせ先" in footer.inner_text()
    footer.get_by_role("link", name="ご自身のデータの確認・訂正・削除").click()
    page.get_by_role("heading", name="ご自身のデータ").wait_for()
    assert_accessible(page, "/my request form")
    page.get_by_label("Eメール").fill("not an address")
    page.get_by_role("button", name="リンクを送る").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("Eメール").input_value() == "not an address"
    assert_accessible(page, "/my request form with an error")
    page.get_by_label("Eメール").fill(EMAIL)
    page.get_by_label("受付番号").fill(REF.lower())
    page.get_by_role("button", name="リンクを送る").click()
    page.wait_for_url(re.compile(r"/my/sent$"))
    assert_accessible(page, "/my sent")

    link = re.search(r"http://127\.0\.0\.1:\d+/my/[A-Za-z0-9_\-]+",
                     text_of(mail_to(live, EMAIL)[0]))
    assert link, "no /my link in the email"
    page.goto(link.group(0))
    assert_accessible(page, "/my link")
    page.get_by_role("button", name="データを表示する").click()
    page.get_by_role("heading", name="ご自身のデータ").wait_for()
    assert EMAIL in page.content() and REF in page.content()
    assert_accessible(page, "/my data")

    with page.expect_download() as download:
        page.get_by_role("button", name="すべてダウンロード（JSON）").click()
    held = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert held["contact"]["email"] == EMAIL and held["record"]["ref"] == REF

    page.get_by_role("link", name="印刷用ページ").click()
    page.get_by_text(EMAIL).first.wait_for()
    assert_accessible(page, "/my printable page")
    page.go_back()

    page.get_by_role("link", name="登録内容の訂正").click()
    page.get_by_role("heading", name="登録内容の訂正").wait_for()
    assert_accessible(page, "/my correction form")
    page.get_by_label("電話番号").fill("12")
    page.get_by_role("button", name="訂正を保存する").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("電話番号").input_value() == "12"
    assert_accessible(page, "/my correction with an error")
    page.get_by_label("電話番号").fill(NEW_PHONE)
    page.get_by_role("button", name="訂正を保存する").click()
    page.get_by_text("訂正を保存しました。").wait_for()
    assert "09044445555" in page.content()

    page.get_by_role("button", name="取り下げる").click()
    page.get_by_text("変更していません。確認のチェックを入れてください。").wait_for()
    page.get_by_label("はい、応募を取り下げます").check()
    page.get_by_role("button", name="取り下げる").click()
    page.get_by_text("応募を取り下げました。").wait_for()
    assert_accessible(page, "/my after withdrawal")

    page.get_by_label("はい、今すぐデータを削除します").check()
    page.get_by_role("button", name="削除する", exact=True).click()
    page.get_by_role("heading", name="データを削除しました").wait_for()
    assert EMAIL not in page.content()
    assert_accessible(page, "/my erased")
    page.goto(live.url + "/my/data")
    assert EMAIL not in page.content()  # the session ended with the erasure


def test_a_coordinator_records_and_answers_a_request_by_phone(
    page: Any, live: LiveServer
) -> None:
    secret = seed(live, "coordinator", "coord.rights@city.example.jp")
    assert secret is not None
    sign_in(page, live, "coord.rights@city.example.jp")
    second_factor(page, secret)
    page.get_by_role("link", name="個人情報の請求").click()
    page.get_by_role("heading", name="個人情報に関する請求").wait_for()
    assert_accessible(page, "rights requests (empty)")
    page.get_by_role("link", name="請求を記録する").click()
    page.get_by_role("heading", name="請求を記録する").wait_for()
    assert_accessible(page, "record a request")
    page.get_by_label("受付番号").fill("OU-NOPE-0000")
    page.get_by_role("button", name="請求を記録する").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("受付番号").input_value() == "OU-NOPE-0000"
    assert_accessible(page, "record a request with errors")
    page.get_by_label("受付番号").fill(REF)
    page.get_by_label("請求の内容").select_option("erasure")
    page.get_by_label("受付方法").select_option("phone")
    page.get_by_label("本人確認の方法").select_option("registered_phone")
    page.get_by_role("button", name="請求を記録する").click()
    page.get_by_role("heading", name=re.compile("請求 #1")).wait_for()
    assert_accessible(page, "a rights request")
    page.get_by_label("ご本人からの請求であり、本人確認を済ませた").check()
    page.get_by_role("button", name="今すぐデータを消去する").click()
    page.get_by_text("保存しました。").wait_for()
    assert "この方のデータは消去されました。" in page.content()
    assert_accessible(page, "a carried-out rights request")
    page.get_by_role("link", name="個人情報に関する請求").first.click()
    page.get_by_role("heading", name="終了した請求").wait_for()
    assert_accessible(page, "rights requests (one closed)")
