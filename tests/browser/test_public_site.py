"""The public projects site in Chromium: axe-core on the list, a long story with photos,
the calls pages and the home page with live figures."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from admin.credentials import Passwords, make_hasher
from admin.services import create_user
from core.audit import AuditLog
from core.crypto import FieldCipher
from core.db import create_engine, session_factory, utcnow
from intake.models import Proposal, ProposalStatus
from publishing.models import Story, StoryPhoto, StoryStatus
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.factories import in_thread
from tests.factories import contact_columns

pytestmark = pytest.mark.browser

LONG_BODY = "".join(
    f"<h2>第{i}章 はじまり</h2><p>{'長田区の商店街で子ども食堂を開きました。' * 12}</p>"
    f"<ul><li>毎週土曜日</li><li>30食</li></ul>"
    f'<p><a href="https://example.jp/report-{i}" rel="nofollow noopener">活動報告</a></p>'
    for i in range(1, 9)
)


def photo_bytes(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


def seed_story(live: LiveServer) -> None:
    settings = live.settings

    async def run() -> None:
        engine = create_engine(settings.database_url)
        cipher = FieldCipher(settings.data_keys, settings.index_key)
        now = utcnow()
        async with session_factory(engine)() as db, db.begin():
            editor, _ = await create_user(db, Passwords(make_hasher(fast=True)),
                                          AuditLog(settings.audit_key),
                                          email="editor@city.example.jp", role="editor",
                                          display_name="編集 花子", organisation="神戸市")
            proposal = Proposal(
                **contact_columns(cipher, utcnow(), nickname="こうべ太郎",
                                  email="taro.kobe@example.jp", phone="0783225211"),
                ref="OU-STORY-0001", status=ProposalStatus.ACTIVE, category="children",
                ward="nagata",
                catchphrase="子ども食堂をひらきたい", body="長田区で子ども食堂を。",
                email_bidx=cipher.blind_index("taro.kobe@example.jp"),
                locale="ja", consent_at=now,
                policy_version="2026-11-01", created_at=now, verified_at=now,
            )
            db.add(proposal)
            await db.flush()
            story = Story(
                proposal_id=proposal.id or 0, slug="nagata-kodomo-shokudo",
                title="長田の子ども食堂、はじまりました",
                summary="商店街の空き店舗で毎週土曜日に。",
                body_md="(rendered)", body_html=LONG_BODY, category="children", ward="nagata",
                status=StoryStatus.PUBLISHED, author_id=editor.id or 0, created_at=now,
                updated_at=now,
                published_at=now,
            )
            db.add(story)
            await db.flush()
            for i, (alt, colour) in enumerate((("配膳する学生ボランティア", (200, 90, 40)),
                                               ("商店街の空き店舗の入り口", (40, 90, 200)))):
                db.add(StoryPhoto(story_id=story.id or 0, position=i, alt=alt,
                                  mime="image/jpeg", width=800, height=600,
                                  data=photo_bytes(colour), created_at=now))
        await engine.dispose()

    in_thread(run)


def test_public_projects_pages_are_accessible(page: Any, live: LiveServer) -> None:
    seed_story(live)
    page.goto(live.url + "/")
    page.get_by_role("heading", name="新着ストーリー").wait_for()
    assert_accessible(page, "home with stories")
    page.get_by_role("link", name="プロジェクト", exact=True).first.click()
    page.get_by_role("heading", name="プロジェクト", exact=True).wait_for()
    assert_accessible(page, "projects")
    page.get_by_role("link", name="長田の子ども食堂、はじまりました").click()
    page.get_by_role("heading", name="長田の子ども食堂、はじまりました").wait_for()
    assert page.locator("img[alt='配膳する学生ボランティア']").evaluate(
        "img => img.complete && img.naturalWidth") == 800
    assert_accessible(page, "long story with photos")
    page.goto(live.url + "/projects/nagata-kodomo-shokudo?lang=en")
    page.get_by_role("link", name="Projects", exact=True).first.wait_for()
    assert_accessible(page, "story in English chrome")
    page.goto(live.url + "/calls")
    assert_accessible(page, "calls (none open)")
