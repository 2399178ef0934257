"""A coordinator picks a suggested collaborator; both sides accept through the emailed
links; the introduction arrives. axe-core on the staff matching page and the public
answer pages."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from typing import Any

import pytest

from core.crypto import FieldCipher
from core.db import create_engine, session_factory, utcnow
from intake.models import Collaborator, CollaboratorStatus, Proposal, ProposalStatus
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_staff import in_thread, second_factor, seed, sign_in

pytestmark = pytest.mark.browser
APPLICANT = ("taro.kobe@example.jp", "0783225211", "こうべ太郎")
HELPER = ("yamada.helper@example.jp", "0789998877", "やまだ花子")


def seed_pair(live: LiveServer) -> int:
    """A proposal looking for delivery help and a collaborator who delivers nearby."""
    settings = live.settings

    async def run() -> int:
        engine = create_engine(settings.database_url)
        cipher = FieldCipher(settings.data_keys, settings.index_key)
        now = utcnow()
        async with session_factory(engine)() as db, db.begin():
            proposal = Proposal(
                ref="OU-MATCH-0001", status=ProposalStatus.SEEKING, category="elderly", ward="nada",
                catchphrase="お年寄りにお弁当を届けたい",
                body="灘区でひとり暮らしのお年寄りの見守りをしています。"
                "何よりお弁当をご自宅まで届けてくれる方を探しています。活動は土日が中心です。",
                nickname_enc=cipher.encrypt(APPLICANT[2]),
                email_enc=cipher.encrypt(APPLICANT[0]),
                email_bidx=cipher.blind_index(APPLICANT[0]),
                phone_enc=cipher.encrypt(APPLICANT[1]), locale="ja", consent_at=now,
                policy_version="2026-11-01", created_at=now, verified_at=now,
            )
            db.add(proposal)
            db.add(Collaborator(
                ref="CO-HELP-0001", status=CollaboratorStatus.ACTIVE,
                display_name_enc=cipher.encrypt(HELPER[2]),
                org_name="まちかど配送", org_type="business",
                email_enc=cipher.encrypt(HELPER[0]), email_bidx=cipher.blind_index(HELPER[0]),
                phone_enc=cipher.encrypt(HELPER[1]), categories=["elderly"], wards=["nada"],
                offers=["配送"], availability="weekends", capacity=2,
                intro="軽トラックで配達ができます。", locale="ja", consent_at=now,
                policy_version="2026-11-01", created_at=now, updated_at=now, verified_at=now,
            ))
            await db.flush()
            proposal_id = proposal.id or 0
        await engine.dispose()
        return proposal_id

    return in_thread(run)


def mail_to(live: LiveServer, address: str, count: int = 1) -> list[EmailMessage]:
    deadline = time.monotonic() + 20
    while True:
        found = [m for m in live.smtp.messages if m["To"] == address]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"no email to {address}"
        time.sleep(0.2)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


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
