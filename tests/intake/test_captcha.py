"""CAPTCHA on submit, through a local stub of hCaptcha's siteverify endpoint."""

from __future__ import annotations

import httpx

from app import create_app
from core.settings import Settings
from intake.models import Proposal
from notifications.models import OutboxMessage
from tests.conftest import VALID_FORM, CaptchaStub, csrf_of, running, started_of
from tests.intake.factories import captcha_settings, count

Client = httpx.AsyncClient


async def post_with(client: Client, token: str | None) -> tuple[int, str]:
    page = await client.get("/apply")
    form = {**VALID_FORM, "_csrf_token": csrf_of(page.text), "_started": started_of(page.text)}
    if token is not None:
        form["h-captcha-response"] = token
    response = await client.post("/apply/submit", data=form, follow_redirects=False)
    return response.status_code, response.text


async def test_confirmation_page_loads_widget_in_page_language(
    settings: Settings, captcha: CaptchaStub
) -> None:
    app = create_app(captcha_settings(settings, captcha))
    async with running(app, "http://testserver.local") as client:
        page = await client.get("/apply?lang=en")
        form = {**VALID_FORM, "_csrf_token": csrf_of(page.text),
                "_started": started_of(page.text)}
        confirm = await client.post("/apply", data=form)
        others = [await client.get(path) for path in ("/", "/admin/login", "/projects")]
    assert "https://js.hcaptcha.com/1/api.js?hl=en" in confirm.text
    assert 'data-sitekey="10000000-ffff-ffff-ffff-000000000001"' in confirm.text
    assert "hcaptcha.com" in confirm.headers["content-security-policy"]
    # Only the forms need hCaptcha's origins: staff and other pages do not allow them.
    for other in others:
        assert "hcaptcha" not in other.headers["content-security-policy"], other.url
        assert "frame-src 'none'" in other.headers["content-security-policy"]


async def test_passing_captcha_stores(settings: Settings, captcha: CaptchaStub) -> None:
    app = create_app(captcha_settings(settings, captcha))
    async with running(app, "http://testserver.local") as client:
        status, _ = await post_with(client, "pass")
        assert status == 303
        assert await count(app, Proposal) == 1
    sent = captcha.requests[0]
    assert sent["secret"] == "test-secret" and sent["sitekey"].startswith("10000000")
    assert sent["remoteip"]


async def test_failed_or_missing_captcha_rejected(
    settings: Settings, captcha: CaptchaStub
) -> None:
    app = create_app(captcha_settings(settings, captcha))
    async with running(app, "http://testserver.local") as client:
        status, text = await post_with(client, "wrong")
        assert status == 422 and "CAPTCHAの確認ができませんでした" in text
        status, _ = await post_with(client, None)
        assert status == 422
        assert await count(app, Proposal) == 0 and await count(app, OutboxMessage) == 0


async def test_wrong_hostname_rejected(settings: Settings, captcha: CaptchaStub) -> None:
    captcha.hostname = "evil.example"
    app = create_app(captcha_settings(settings, captcha))
    async with running(app, "http://testserver.local") as client:
        status, _ = await post_with(client, "pass")
        assert status == 422
        assert await count(app, Proposal) == 0


async def test_captcha_service_down_fails_closed(
    settings: Settings, captcha: CaptchaStub
) -> None:
    app = create_app(captcha_settings(settings, captcha))
    captcha.stop()
    async with running(app, "http://testserver.local") as client:
        status, text = await post_with(client, "pass")
        assert status == 503
        assert "まだ送信されていません" in text
        assert 'name="email" value="taro.kobe@example.jp"' in text  # the entries survive
        assert await count(app, Proposal) == 0 and await count(app, OutboxMessage) == 0
