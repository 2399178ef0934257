"""An editor writes a story with a photo, a coordinator approves it, the applicant consents
through the emailed link, the editor publishes it and it is on the public site; then the
applicant withdraws and it is gone. axe-core on every staff and applicant page on the way."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from PIL import Image

from admin.credentials import Passwords, make_hasher
from admin.services import create_user, seal_totp_secret
from core.audit import AuditLog
from core.crypto import FieldCipher
from core.db import create_engine, session_factory, utcnow
from intake.models import Proposal, ProposalStatus
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import (
    APPLICANT,
    PASSWORD,
    in_thread,
    mail_to,
    second_factor,
    sign_in,
    text_of,
)
from tests.factories import contact_columns

pytestmark = pytest.mark.browser
TITLE = "八百屋さんと子ども食堂"


def seed(live: LiveServer) -> str:
    """An editor, a coordinator (with TOTP; returns its secret) and a completed proposal."""
    settings = live.settings

    async def run() -> str:
        engine = create_engine(settings.database_url)
        cipher = FieldCipher(settings.data_keys, settings.index_key)
        passwords = Passwords(make_hasher(fast=True))
        secret = pyotp.random_base32()
        now = utcnow()
        async with session_factory(engine)() as db, db.begin():
            for role, email in (("editor", "editor@city.example.jp"),
                                ("coordinator", "coordinator@city.example.jp")):
                user, _ = await create_user(db, passwords, AuditLog(settings.audit_key),
                                            email=email, role=role,
                                            display_name=f"{role} 花子", organisation="神戸市")
                user.password_hash = await passwords.hash(PASSWORD)
                user.must_change_password = False
                user.totp_secret_enc = (seal_totp_secret(cipher, user, secret)
                                        if role == "coordinator" else None)
                db.add(user)
            db.add(Proposal(
                **contact_columns(cipher, utcnow(), nickname=APPLICANT[2], email=APPLICANT[0],
                                  phone=APPLICANT[1]),
                ref="OU-STORY-0001", status=ProposalStatus.COMPLETED, category="children",
                ward="nagata",
                catchphrase="子ども食堂に野菜を届けたい", body="長田区の八百屋です。",
                email_bidx=cipher.blind_index(APPLICANT[0]),
                locale="ja", consent_at=now,
                policy_version="2026-11-01", created_at=now, verified_at=now,
            ))
        await engine.dispose()
        return secret

    return in_thread(run)


def camera_photo(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "ACME Camera Co"
    exif[0x8825] = {1: "N", 2: (34.0, 41.0, 25.0), 3: "E", 4: (135.0, 11.0, 43.0)}
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 140, 90)).save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def link_in(live: LiveServer, count: int, kind: str) -> str:
    message = mail_to(live, APPLICANT[0], count)[count - 1]
    found = re.search(rf"(http://127\.0\.0\.1:\d+/stories/{kind}/[A-Za-z0-9_\-]+)",
                      text_of(message))
    assert found, f"no {kind} link in the email"
    return found.group(1)


def test_story_from_draft_to_the_public_site(page: Any, live: LiveServer, tmp_path: Path) -> None:
    secret = seed(live)
    sign_in(page, live, "editor@city.example.jp")
    page.get_by_role("heading", name="ダッシュボード").wait_for()
    page.get_by_role("link", name="ストーリー").click()
    page.get_by_role("heading", name="ストーリー").wait_for()
    assert_accessible(page, "story list")
    page.get_by_role("link", name="新しいストーリーを書く").click()
    assert_accessible(page, "new story (choose a proposal)")
    page.get_by_label("応募の受付番号").fill("OU-STORY-0001")
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("タイトル").wait_for()
    assert_accessible(page, "new story form")
    page.get_by_label("タイトル").fill(TITLE)
    page.get_by_label("要約").fill("地域の八百屋さんが、毎週野菜を届けています。")
    page.get_by_label("本文").fill(
        "## はじまり\n\n長田区の子ども食堂に、八百屋さんが野菜を届けてくれるように"
        "なりました。\n\n- 毎週土曜日\n- 30食分\n\n[市のページ](https://www.city.kobe.lg.jp/)")
    page.get_by_role("button", name="プレビュー").click()
    page.get_by_role("heading", name="プレビュー（まだ保存されていません）").wait_for()
    assert_accessible(page, "story form with preview")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    assert_accessible(page, "story (draft)")

    page.get_by_label("写真", exact=True).set_input_files(str(camera_photo(tmp_path / "p.jpg")))
    page.get_by_label("写真を見ることができない方のための説明").fill("野菜を運ぶ八百屋さん")
    page.get_by_role("button", name="写真をアップロードする").click()
    page.locator(".photo-list img").first.wait_for()
    assert page.locator(".photo-list img").first.get_attribute("alt") == "野菜を運ぶ八百屋さん"
    assert_accessible(page, "story with a photo")
    page.get_by_role("button", name="確認を依頼する").click()
    page.get_by_text("確認待ち").first.wait_for()
    story_url = page.url

    reviewer = page.context.browser.new_context(locale="ja-JP").new_page()
    sign_in(reviewer, live, "coordinator@city.example.jp")
    second_factor(reviewer, secret)
    reviewer.goto(story_url)
    assert_accessible(reviewer, "story awaiting review")
    reviewer.get_by_role("button", name="承認する").click()
    reviewer.get_by_text("承認済み").first.wait_for()
    reviewer.context.close()

    page.reload()
    page.get_by_role("button", name="応募者に公開の同意を依頼する").click()
    page.get_by_text("応募者の同意待ち").first.wait_for()
    assert_accessible(page, "story awaiting consent")

    applicant = page.context.browser.new_context(locale="ja-JP").new_page()
    applicant.goto(link_in(live, 1, "consent"))
    applicant.get_by_role("heading", name="公開前のストーリーのご確認").wait_for()
    assert TITLE in applicant.content()
    assert applicant.locator("article.story img").get_attribute("alt") == "野菜を運ぶ八百屋さん"
    assert_accessible(applicant, "consent preview")
    applicant.get_by_role("button", name="公開に同意する").click()
    applicant.get_by_role("heading", name="ご回答ありがとうございました").wait_for()
    assert_accessible(applicant, "consent given")

    page.reload()
    page.get_by_role("button", name="公開する").click()
    page.get_by_text("公開中").first.wait_for()
    assert_accessible(page, "story published")
    page.get_by_role("link", name="公開ページを見る").click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    content = page.content()
    assert not any(value in content for value in (*APPLICANT, "editor 花子", "coordinator 花子"))
    photo = page.locator("article img").first
    assert photo.get_attribute("alt") == "野菜を運ぶ八百屋さん"
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1200

    applicant.goto(link_in(live, 2, "withdraw"))
    applicant.get_by_role("heading", name="同意の撤回").wait_for()
    assert_accessible(applicant, "withdraw consent")
    applicant.get_by_role("button", name="同意を撤回して公開を停止する").click()
    applicant.get_by_role("heading", name="同意を撤回しました").wait_for()
    assert_accessible(applicant, "consent withdrawn")
    applicant.context.close()
    public_url = page.url
    deadline = time.monotonic() + 10  # each instance re-reads published stories every second
    while page.goto(public_url).status != 404:
        assert time.monotonic() < deadline, "the story is still public"
        time.sleep(0.3)
