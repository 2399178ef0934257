"""Builders for the intake tests: row counts, the hCaptcha settings, and a collaborator's
registration through the form."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from sqlmodel import func, select

from core.settings import Settings
from tests.conftest import CaptchaStub, csrf_of, started_of
from tests.factories import COLLABORATOR_FORM

PERSONAL = ("hanako.minato@example.jp", "09011112222", "090-1111-2222", "みなと花子",
            "０９０－１１１１－２２２２")


async def count(app: Litestar, model: Any) -> int:
    async with app.state.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


def captcha_settings(settings: Settings, stub: CaptchaStub) -> Settings:
    return settings.with_changes(
        captcha="hcaptcha", hcaptcha_sitekey="10000000-ffff-ffff-ffff-000000000001",
        hcaptcha_secret="test-secret", hcaptcha_verify_url=stub.url,
    )


async def open_collaborator_form(client: httpx.AsyncClient, path: str = "/collaborate?lang=ja"
                                 ) -> tuple[str, str]:
    page = await client.get(path)
    assert page.status_code == 200
    return csrf_of(page.text), started_of(page.text)


async def register(client: httpx.AsyncClient, path: str = "/collaborate?lang=ja",
                   **overrides: Any) -> httpx.Response:
    csrf, started = await open_collaborator_form(client, path)
    form = {**COLLABORATOR_FORM, "_csrf_token": csrf, "_started": started, **overrides}
    return await client.post("/collaborate/submit", data=form, follow_redirects=False)
