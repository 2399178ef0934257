"""A coordinator picks a suggested collaborator; both sides accept through the emailed
links; the introduction arrives. axe-core on the staff matching page and the public
answer pages."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import (
    APPLICANT,
    HELPER,
    mail_to,
    second_factor,
    seed,
    seed_pair,
    sign_in,
    text_of,
)

pytestmark = pytest.mark.browser


def link_in(message: EmailMessage) -> str:
    match = re.search(r"(http://127\.0\.0\.1:\d+/introductions/[A-Za-z0-9_\-]+)", text_of(message))
    assert match
    return match.group(1)


def test_introduction_from_suggestion_to_both_sides_agreeing(page: Any, live: LiveServer) -> None:
    secret = seed(live, "coordinator", "coordinator@city.example.jp")
    assert secret
    proposal_id = seed_pair(live)
    sign_in(page, live, "coordinator@city.example.jp")
    second_factor(page, secret)
    page.goto(f"{live.url}/admin/proposals/{proposal_id}")
    page.get_by_role("link", name="協力者を探す").click()
    page.get_by_role("heading", name="協力者を探す").wait_for()
    reasons = page.locator("#suggestion-1 .reasons").inner_text()
    assert "配送を提供（一番のニーズ）" in reasons and "灘区" in reasons
    assert_accessible(page, "matching")
    page.get_by_role("button", name="この協力者に打診する まちかど配送").click()
    page.get_by_role("cell", name="協力者に打診中").wait_for()
    assert_accessible(page, "matching after proposing")

    (ask,) = mail_to(live, HELPER[0])
    assert not any(value in text_of(ask) for value in APPLICANT)
    page.goto(link_in(ask))
    page.get_by_role("heading", name="この応募へのご協力をお願いできますか").wait_for()
    assert_accessible(page, "collaborator's answer page")
    page.get_by_role("button", name="はい、紹介してください").click()
    page.get_by_role("heading", name="ご回答ありがとうございました").wait_for()
    assert_accessible(page, "collaborator's thank-you page")

    (ask_applicant,) = mail_to(live, APPLICANT[0])
    assert not any(value in text_of(ask_applicant) for value in HELPER)
    page.goto(link_in(ask_applicant))
    page.get_by_role("heading", name="協力したいという方がいます").wait_for()
    assert_accessible(page, "applicant's answer page")
    page.get_by_role("button", name="はい、紹介してください").click()
    page.get_by_role("heading", name="ご回答ありがとうございました").wait_for()

    introduction = mail_to(live, APPLICANT[0], 2)[-1]
    assert all(value in text_of(introduction) for value in HELPER)
    assert introduction["Cc"] == "coordinator@city.example.jp"
    to_helper = mail_to(live, HELPER[0], 2)[-1]
    assert all(value in text_of(to_helper) for value in APPLICANT)

    page.goto(link_in(ask))
    page.get_by_role("heading", name="このリンクは現在ご利用いただけません").wait_for()
    assert_accessible(page, "used link")
    page.goto(f"{live.url}/admin/proposals/{proposal_id}/matching")
    page.get_by_role("cell", name="紹介済み").wait_for()


def test_coordinator_publishes_a_call_and_a_citizen_answers_it(page: Any, live: LiveServer) -> None:
    secret = seed(live, "coordinator", "coordinator@city.example.jp")
    assert secret
    proposal_id = seed_pair(live)
    sign_in(page, live, "coordinator@city.example.jp")
    second_factor(page, secret)
    page.goto(f"{live.url}/admin/proposals/{proposal_id}/matching")
    page.get_by_role("button", name="この応募からプロジェクト（チーム）をつくる").click()
    page.get_by_role("heading", name="プロジェクト: お年寄りにお弁当を届けたい").wait_for()
    page.get_by_label("タイトル").fill("連絡は taro@example.jp まで")
    page.get_by_label("求めていること").fill("土曜の午前にお弁当を届けてくださる方")
    page.get_by_role("button", name="募集を公開する").click()
    page.get_by_role("alert").wait_for()
    assert "メールアドレスまたは電話番号" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "project with errors")
    page.get_by_label("タイトル").fill("お弁当の配達ボランティア募集")
    page.get_by_role("button", name="募集を公開する").click()
    page.get_by_role("heading", name="お弁当の配達ボランティア募集").wait_for()
    assert_accessible(page, "project")

    page.goto(f"{live.url}/calls")
    assert_accessible(page, "public calls")
    page.get_by_role("link", name="お弁当の配達ボランティア募集").click()
    page.get_by_role("heading", name="お弁当の配達ボランティア募集").wait_for()
    assert_accessible(page, "public call")
    content = page.content()
    assert not any(value in content for value in (*APPLICANT, "coordinator 花子"))
    page.get_by_role("link", name="協力したい").click()
    page.wait_for_url(re.compile(r".*/collaborate\?call=\d+$"))
    assert page.locator('input[name="call"]').get_attribute("value")
