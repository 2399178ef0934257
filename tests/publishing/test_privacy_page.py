"""The privacy page promises what runs: its retention table is rendered from the same rules
and settings `ouen purge` applies, in Japanese and English."""

from __future__ import annotations

import httpx
from litestar import Litestar

from app import create_app
from core.settings import Settings
from tests.conftest import running


async def page(app: Litestar, lang: str) -> str:
    async with running(app) as client:
        response = await client.get(f"/privacy?lang={lang}")
    assert response.status_code == 200
    return response.text


async def test_the_retention_table_follows_the_settings(settings: Settings) -> None:
    app = create_app(settings.with_changes(retention_closed_days=200, retention_spam_days=0,
                                           retention_unverified_hours=24))
    ja, en = await page(app, "ja"), await page(app, "en")
    assert "案件の終了から200日後" in ja and "送信から24時間後" in ja
    assert "次回の日次削除の時点" in ja  # spam: 0 means at the next purge
    assert "365日" in ja  # the retired collaborators' default
    assert "200 days after the case closed" in en and "24 hours after they were sent" in en
    assert "Contact data and texts of proposals marked as spam" in en
    assert 'href="/my"' in ja and "30日以内" in ja


async def test_defaults_on_the_page(client: httpx.AsyncClient) -> None:
    ja = (await client.get("/privacy")).text
    assert "案件の終了から365日後" in ja and "送信から48時間後" in ja and "判定から30日後" in ja
