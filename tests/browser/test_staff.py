"""A coordinator's day and an editor's view, in Chromium, with axe-core on the staff pages."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from admin.calendar import JST
from core.db import create_engine, session_factory, utcnow
from core.models import AuditEvent
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import PHONE, in_thread, second_factor, seed, sign_in

pytestmark = pytest.mark.browser


def audit_actions(live: LiveServer) -> list[str]:
    async def run() -> list[str]:
        from sqlmodel import select

        engine = create_engine(live.settings.database_url)
        async with session_factory(engine)() as db:
            rows = (await db.exec(select(AuditEvent))).all()
        await engine.dispose()
        return [f"{e.action} {e.detail}" for e in rows]

    return in_thread(run)


def test_coordinators_day(page: Any, live: LiveServer) -> None:
    secret = seed(live, "coordinator", "coordinator@city.example.jp")
    assert secret
    sign_in(page, live, "coordinator@city.example.jp")
    page.get_by_role("heading", name="二要素認証").wait_for()
    assert_accessible(page, "second factor")
    page.get_by_label("認証アプリの6桁のコード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="次へ").click()
    page.get_by_role("heading", name="ダッシュボード").wait_for()
    assert_accessible(page, "dashboard")

    page.get_by_role("link", name="応募一覧", exact=True).click()
    page.get_by_label("初回連絡の期限超過のみ").check()
    page.get_by_role("button", name="絞り込む").click()
    assert_accessible(page, "proposal list")
    page.get_by_role("link", name="OU-LATE-0001").click()
    page.get_by_role("heading", name="OU-LATE-0001 · 高齢者の買い物を手伝いたい").wait_for()
    assert "***-****-5211" in page.content() and PHONE not in page.content()
    assert_accessible(page, "case")

    page.get_by_label("表示の理由 電話番号").select_option("contact_applicant")
    page.get_by_role("button", name="表示する 電話番号").click()
    page.locator(".revealed").wait_for()
    assert page.locator(".revealed").inner_text() == PHONE

    page.get_by_label("連絡方法").select_option("phone")
    page.get_by_label("結果", exact=True).select_option("reached")
    page.get_by_label("概要").fill("電話で詳しく伺った。協力者を探す。")
    # The call was made an hour ago and is logged now, at the time it took place.
    called = (utcnow() - timedelta(hours=1)).astimezone(JST)
    page.get_by_label("日時（日本時間。空欄なら現在）").fill(called.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="記録する").click()
    page.get_by_text("電話で詳しく伺った。協力者を探す。").wait_for()
    assert "聞き取り中" in page.locator(".status").inner_text()
    call = page.locator(".timeline li").filter(has_text="電話で詳しく伺った。")
    assert call.locator("time").inner_text() == called.strftime("%Y-%m-%d %H:%M")

    page.get_by_label("新しい状態").select_option("seeking")
    page.get_by_role("button", name="状態を変更する").click()
    page.locator(".status").filter(has_text="協力者探し中").wait_for()
    assert_accessible(page, "case after changes")

    actions = audit_actions(live)
    assert "contact.revealed field=phone reason=contact_applicant" in actions
    assert "proposal.status_changed in_contact -> seeking" in actions

    page.goto(live.url + "/admin/password")
    page.get_by_role("heading", name="パスワードの変更").wait_for()
    assert_accessible(page, "password change (second factor on)")
    page.get_by_role("link", name="二要素認証の設定").click()
    page.get_by_role("heading", name="二要素認証").wait_for()
    assert_accessible(page, "second factor (account)")


def test_editor_finds_no_way_to_contact_data(page: Any, live: LiveServer) -> None:
    seed(live, "editor", "editor@city.example.jp")
    sign_in(page, live, "editor@city.example.jp")
    page.get_by_role("heading", name="ダッシュボード").wait_for()
    page.get_by_role("link", name="応募一覧", exact=True).click()
    page.get_by_role("link", name="OU-LATE-0001").click()
    page.get_by_role("heading", name="OU-LATE-0001 · 高齢者の買い物を手伝いたい").wait_for()
    content = page.content()
    assert "連絡先" not in content and "***" not in content and PHONE not in content
    assert page.get_by_role("button", name="表示する").count() == 0
    assert_accessible(page, "case (editor)")
    assert not any(a.startswith("contact.revealed") for a in audit_actions(live))

    page.goto(live.url + "/admin/password")
    page.get_by_role("heading", name="パスワードの変更").wait_for()
    assert_accessible(page, "password change (second factor off)")
    page.get_by_role("link", name="二要素認証の設定").click()
    page.get_by_role("heading", name="二要素認証の設定").wait_for()
    assert page.locator("figure.qr svg").is_visible()
    assert_accessible(page, "second-factor enrolment (account)")


def test_admin_creates_an_account_and_exports_statistics(page: Any, live: LiveServer) -> None:
    secret = seed(live, "admin", "chief@city.example.jp")
    assert secret
    sign_in(page, live, "chief@city.example.jp")
    second_factor(page, secret)
    page.get_by_role("link", name="職員アカウント").click()
    assert_accessible(page, "staff accounts")
    page.locator("#n-email").fill("new.staff@contractor.example.jp")
    page.locator("#n-name").fill("委託 次郎")
    page.locator("#n-org").fill("委託事業者")
    page.locator("#n-role").select_option("coordinator")
    page.get_by_role("button", name="アカウントを作成する").click()
    page.get_by_role("status").filter(has_text="new.staff@contractor.example.jp").wait_for()
    assert page.locator("code.secret").inner_text().strip()
    assert_accessible(page, "account created")

    page.goto(live.url + "/admin/exports")
    assert_accessible(page, "exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="統計をダウンロード（CSV）").click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and b"category,month,status,ward,proposals" in body
    assert any(a.startswith("export.statistics rows=") for a in audit_actions(live))


def test_auditor_verifies_the_chain(page: Any, live: LiveServer) -> None:
    seed(live, "auditor", "auditor@city.example.jp")
    sign_in(page, live, "auditor@city.example.jp")
    page.get_by_role("heading", name="ダッシュボード").wait_for()
    page.get_by_role("link", name="監査ログ").click()
    assert_accessible(page, "audit log")
    page.get_by_role("button", name="今すぐ改ざんを検査する").click()
    page.get_by_role("status").filter(has_text="改ざんはありません").wait_for()
    assert_accessible(page, "audit log verified")


def test_coordinator_enters_a_phone_proposal(page: Any, live: LiveServer) -> None:
    secret = seed(live, "coordinator", "coordinator@city.example.jp")
    assert secret
    sign_in(page, live, "coordinator@city.example.jp")
    second_factor(page, secret)
    page.get_by_role("link", name="応募一覧", exact=True).click()
    page.get_by_role("link", name="代理で応募を入力する").click()
    assert_accessible(page, "staff entry")
    page.get_by_label("受付方法").select_option("phone")
    page.get_by_label("同意の取得方法").select_option("verbal_phone")
    page.get_by_label("連絡用ニックネーム（団体の場合は所属名）").fill("電話の山田さん")
    page.get_by_label("Eメール").fill("yamada@example.jp")
    page.get_by_label("電話番号").fill("078-111-2222")
    page.get_by_label("キャッチフレーズ").fill("公園の清掃を手伝いたい")
    page.get_by_label("カテゴリ").select_option("community")
    page.get_by_label("応援内容").fill("毎週日曜に公園の清掃をします。")
    page.get_by_label("本人が個人情報保護方針に同意した").check()
    page.get_by_role("button", name="応募を保存する").click()
    page.get_by_role("heading", name=re.compile("公園の清掃を手伝いたい")).wait_for()
    assert "電話で個人情報保護方針を読み上げ、同意を得た" in page.content()
    assert "yamada@example.jp" not in page.content()  # masked on the case page
    assert any(a.startswith("proposal.entered_on_behalf") for a in audit_actions(live))
