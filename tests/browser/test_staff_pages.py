"""An administrator's first sign-in (enrolling the second factor, choosing a password) and a
walk through the back-office pages no other journey checks — the collaborator, project and
story lists with real rows, a collaborator's record, the entry and edit forms — with
axe-core on each."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from sqlmodel import col, select

from admin.credentials import Passwords, make_hasher
from admin.services import create_user
from core.audit import AuditLog
from core.crypto import FieldCipher
from core.db import create_engine, session_factory, utcnow
from intake.models import Proposal
from publishing.demo import create_showcase
from publishing.markdown import render_markdown
from publishing.models import Story, StoryStatus
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import PASSWORD, in_thread, seed_pair, sign_in

pytestmark = pytest.mark.browser
ADMIN = "chief@city.example.jp"
NEW_PASSWORD = "my own staff passphrase 2026"
DRAFT = "垂水の見守り、その後"


def seed(live: LiveServer) -> None:
    """A new administrator (one-time password, no second factor yet), the demo projects with
    their collaborators, an open call and published stories, and a draft story."""
    settings = live.settings

    async def run() -> None:
        engine = create_engine(settings.database_url)
        cipher = FieldCipher(settings.data_keys, settings.index_key)
        passwords = Passwords(make_hasher(fast=True))
        audit = AuditLog(settings.audit_key)
        async with session_factory(engine)() as db, db.begin():
            admin, _ = await create_user(db, passwords, audit, email=ADMIN, role="admin",
                                         display_name="admin 花子", organisation="神戸市")
            admin.password_hash = await passwords.hash(PASSWORD)
            assert admin.must_change_password and admin.totp_secret_enc is None
            db.add(admin)
            await db.flush()
            assert await create_showcase(db, cipher, audit) == 3
            proposal = (await db.exec(select(Proposal).where(
                col(Proposal.ref) == "OU-DEMO-0002"))).one()
            now = utcnow()
            body = "## その後\n\n見守りの輪が広がっています。"
            db.add(Story(proposal_id=proposal.id or 0, slug="tarumi-sonogo", title=DRAFT,
                         summary="見守りの一年をふりかえります。", body_md=body,
                         body_html=render_markdown(body), category="elderly", ward="tarumi",
                         status=StoryStatus.DRAFT, author_id=admin.id or 0, created_at=now,
                         updated_at=now))
        await engine.dispose()

    in_thread(run)


def rows(page: Any, table: str) -> int:
    count: int = page.locator(f"{table} tbody tr").filter(has=page.locator("a")).count()
    return count


def test_admin_first_sign_in_and_the_back_office_pages(page: Any, live: LiveServer) -> None:
    seed(live)
    seed_pair(live)  # a seeking proposal and an active collaborator who fits it

    sign_in(page, live, ADMIN)
    page.get_by_role("heading", name="二要素認証の設定").wait_for()
    assert page.locator("figure.qr svg").is_visible()
    assert_accessible(page, "second-factor enrolment")
    secret = page.locator("code.secret").inner_text().strip()
    page.get_by_label("認証アプリの6桁のコード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="確認する").click()

    page.get_by_role("heading", name="パスワードの変更").wait_for()
    assert "/admin/password" in page.url
    page.get_by_text("仮パスワードでログインしました").wait_for()
    assert_accessible(page, "first password change")
    page.get_by_label("現在のパスワード").fill(PASSWORD)
    page.get_by_label("新しいパスワード", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード（確認）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを変更する").click()
    page.get_by_text("パスワードを変更しました。").wait_for()
    assert_accessible(page, "dashboard (admin, password changed)")

    page.get_by_role("link", name="協力者", exact=True).click()
    page.get_by_role("heading", name="協力者", exact=True).wait_for()
    assert rows(page, "table.cases") == 4
    assert_accessible(page, "collaborator list")
    page.get_by_role("link", name="CO-HELP-0001").click()
    page.get_by_role("heading", name="CO-HELP-0001 · まちかど配送").wait_for()
    page.get_by_role("link", name="OU-MATCH-0001 · お年寄りにお弁当を届けたい").wait_for()
    assert "***" in page.content()  # the masked contact block and its reveal form
    assert_accessible(page, "collaborator")
    page.get_by_role("link", name="登録内容を編集する").click()
    page.get_by_role("heading", name="登録内容を編集する · CO-HELP-0001").wait_for()
    assert "軽トラックで配達ができます。" in page.content()
    assert_accessible(page, "collaborator profile edit")
    page.goto(live.url + "/admin/collaborators")
    page.get_by_role("link", name="代理で協力者を登録する").click()
    page.get_by_role("heading", name="代理で協力者を登録する").wait_for()
    assert_accessible(page, "collaborator entry")

    page.get_by_role("link", name="プロジェクト", exact=True).click()
    page.get_by_role("heading", name="プロジェクト", exact=True).wait_for()
    assert rows(page, "table.data") == 3
    assert_accessible(page, "project list")
    page.get_by_role("link", name="OU-DEMO-0001 · 商店街で子ども食堂をひらきたい").click()
    page.get_by_text("土曜日の配膳ボランティア募集").first.wait_for()
    assert_accessible(page, "project with members and an open call")

    page.get_by_role("link", name="ストーリー", exact=True).click()
    page.get_by_role("heading", name="ストーリー", exact=True).wait_for()
    page.get_by_role("link", name="長田の商店街に、子ども食堂が生まれました").wait_for()
    assert_accessible(page, "story list")
    page.get_by_role("link", name=DRAFT).click()
    page.get_by_role("heading", name=DRAFT, level=1).wait_for()
    page.get_by_role("link", name="内容を編集する").click()
    page.get_by_label("タイトル").wait_for()
    assert page.get_by_label("タイトル").input_value() == DRAFT
    assert_accessible(page, "story edit")
