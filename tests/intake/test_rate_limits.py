"""Rate limits around the CAPTCHA: the per-address limit comes first and shields the CAPTCHA
service; the per-email limit counts only submissions whose CAPTCHA passed, so nobody can
lock a stranger's address out by typing it into the form."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app import create_app
from core.settings import Settings
from intake.models import Collaborator, Proposal
from tests.conftest import VALID_FORM, CaptchaStub, csrf_of, running, started_of
from tests.factories import COLLABORATOR_FORM
from tests.intake.factories import captcha_settings, count

FORMS = [("/apply", VALID_FORM, Proposal), ("/collaborate", COLLABORATOR_FORM, Collaborator)]


async def post(client: httpx.AsyncClient, path: str, form: dict[str, Any], captcha: str,
               email: str = "victim@example.jp") -> int:
    page = await client.get(path)
    data = {**form, "_csrf_token": csrf_of(page.text), "_started": started_of(page.text),
            "email": email, "h-captcha-response": captcha}
    response = await client.post(f"{path}/submit", data=data, follow_redirects=False)
    return response.status_code


@pytest.mark.parametrize(("path", "form", "model"), FORMS)
async def test_failed_captchas_do_not_use_up_an_address(
    settings: Settings, captcha: CaptchaStub, path: str, form: dict[str, Any], model: Any
) -> None:
    limited = captcha_settings(settings, captcha).with_changes(submit_limit_email_per_hour=2)
    app = create_app(limited)
    async with running(app) as client:
        for _ in range(6):  # someone else keeps typing the victim's address
            assert await post(client, path, form, "wrong") == 422
        assert await post(client, path, form, "pass") == 303  # the owner still gets through
        assert await post(client, path, form, "pass") == 303
        assert await post(client, path, form, "pass") == 429  # passed ones do count
        assert await post(client, path, form, "pass", email="other@example.jp") == 303
        assert await count(app, model) == 3
    assert len(captcha.requests) == 10


@pytest.mark.parametrize(("path", "form", "model"), FORMS)
async def test_address_limit_comes_before_the_captcha_service(
    settings: Settings, captcha: CaptchaStub, path: str, form: dict[str, Any], model: Any
) -> None:
    limited = captcha_settings(settings, captcha).with_changes(submit_limit_ip_per_hour=2)
    app = create_app(limited)
    async with running(app) as client:
        assert await post(client, path, form, "wrong") == 422
        assert await post(client, path, form, "wrong") == 422
        assert await post(client, path, form, "pass", email="a@example.jp") == 429
        assert await post(client, path, form, "wrong", email="b@example.jp") == 429
        assert await count(app, model) == 0
    assert len(captcha.requests) == 2  # the flood never reached siteverify
