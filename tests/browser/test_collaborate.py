"""A citizen registers as a collaborator in Chromium, in Japanese, with axe-core on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import wait_for_mail

pytestmark = pytest.mark.browser


def test_citizen_registers_as_collaborator_and_confirms(page: Any, live: LiveServer) -> None:
    page.goto(live.url + "/")
    page.get_by_role("link", name="協力者として登録する").first.click()
    page.wait_for_url(re.compile(r"/collaborate$"))
    assert_accessible(page, "collaborator form")

    page.get_by_role("button", name="入力内容の確認").click()
    summary = page.get_by_role("alert").filter(has_text="次の項目を修正してください")
    assert summary.is_visible()
    assert "「関心のあるカテゴリ」を1つ以上選んでください。" in summary.inner_text()
    assert_accessible(page, "collaborator form with errors")
    # The summary's link takes the keyboard to the first box of the group.
    summary.get_by_role("link", name="「関心のあるカテゴリ」を1つ以上選んでください。").click()
    assert page.evaluate("document.activeElement.name") == "categories"

    page.get_by_label("連絡用のお名前（ニックネーム可）").fill("みなと花子")
    page.get_by_label("団体名").fill("みなと食堂")
    page.get_by_label("団体の種類").select_option("business")
    page.get_by_label("Eメール").fill("hanako.minato@example.jp")
    page.get_by_label("電話番号").fill("090-1111-2222")
    categories = page.get_by_role("group", name="関心のあるカテゴリ")
    categories.get_by_label("子ども").check()
    categories.get_by_label("高齢者").check()
    page.get_by_role("group", name="協力できる地域").get_by_label("中央区").check()
    offers = page.get_by_role("group", name="協力できること")
    offers.get_by_label("会場提供").check()
    offers.get_by_label("調理").check()
    page.get_by_label("その他の協力できること").fill("見守り、チラシ配り")
    page.get_by_role("group", name="協力できる時間帯").get_by_label("土日祝").check()
    page.get_by_label("同時に協力できるプロジェクト数").fill("2")
    page.get_by_label("自己紹介").fill("中央区で食堂を営んでいます。\n週末は店舗を会場として貸し出せます。")
    page.get_by_label("個人情報保護方針を確認し、応援者への紹介に同意します").check()
    page.get_by_role("button", name="入力内容の確認").click()

    page.get_by_role("heading", name="入力内容の確認").wait_for()
    content = page.content()
    assert "hanako.minato@example.jp" in content and "会場提供、調理、見守り、チラシ配り" in content
    assert_accessible(page, "collaborator confirmation")
    page.get_by_role("button", name="送信する").click()

    page.wait_for_url(re.compile(r"/collaborate/sent$"))
    assert page.get_by_role("heading", name="メールをご確認ください").is_visible()
    assert "hanako" not in page.url
    assert_accessible(page, "collaborator sent")

    wait_for_mail(live.smtp, 1)
    message = live.smtp.messages[0]
    assert message["To"] == "hanako.minato@example.jp"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    link = re.search(r"http://127\.0\.0\.1:\d+/verify/[A-Za-z0-9_\-]+", body.get_content())
    assert link, "no link in the email"

    page.goto(link.group(0))
    assert_accessible(page, "collaborator verify")
    page.get_by_role("button", name="登録を確定する").click()
    page.get_by_role("heading", name="協力者登録が完了しました").wait_for()
    assert "事前にご相談します" in page.content()
    assert_accessible(page, "collaborator done")


def test_collaborator_form_in_english_is_accessible(page: Any, live: LiveServer) -> None:
    page.goto(live.url + "/collaborate?lang=en&call=3")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("group", name="What you can offer").get_by_label("Delivery").count()
    assert_accessible(page, "collaborator form (en)")
