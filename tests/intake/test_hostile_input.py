"""Forged and garbled input on the public forms: whatever arrives, the answer is a page of
ours (a silent drop, 403, 404, 422, ...), never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from litestar import Litestar

from app import create_app
from core.settings import Settings
from intake.collaborator_validation import LIST_FIELDS, TEXT_FIELDS
from intake.models import Collaborator, Proposal
from intake.validation import FIELDS
from notifications.models import OutboxMessage
from tests.conftest import VALID_FORM, CaptchaStub, csrf_of, running, started_of
from tests.factories import COLLABORATOR_FORM
from tests.intake.factories import captcha_settings, count

Client = httpx.AsyncClient
# Anything a browser can send in a form: every code point UTF-8 carries (no lone surrogates).
UNICODE = st.text(st.characters(codec="utf-8"), max_size=60)
TRICKY = st.sampled_from(["1.あ", "１２３.ａ", "ａ", "²", "\u3000", "é" * 70, "𠮷", "\x00",
                          "\u202e", "\ufeff", "あ" * 80])
VALUE = st.one_of(UNICODE, TRICKY)
CONTROL_FIELDS = ("_started", "_csrf_token", "h-captcha-response", "fax_number", "edit")
ANSWERS = {303, 403, 404, 410, 422, 429, 503}


async def opened(client: Client, path: str) -> tuple[str, str]:
    page = await client.get(path)
    assert page.status_code == 200
    return csrf_of(page.text), started_of(page.text)


async def stored(app: Litestar) -> tuple[int, int, int]:
    return (await count(app, Proposal), await count(app, Collaborator),
            await count(app, OutboxMessage))


@pytest.mark.parametrize("garble", [
    lambda stamp: "1.あ",
    lambda stamp: stamp + "ａ",  # a valid stamp with a full-width suffix
    lambda stamp: stamp[:-1] + "ａ",  # a full-width character inside the signature
    lambda stamp: "あ." + stamp.rpartition(".")[2],
    lambda stamp: "²." + stamp.rpartition(".")[2],
])
@pytest.mark.parametrize(("path", "form", "sent"), [
    ("/apply", VALID_FORM, "/apply/sent"),
    ("/collaborate", COLLABORATOR_FORM, "/collaborate/sent"),
])
async def test_non_ascii_form_timestamp_is_a_silent_drop(
    client: Client, app: Litestar, garble: Any, path: str, form: dict[str, Any], sent: str
) -> None:
    csrf, started = await opened(client, path)
    response = await client.post(
        f"{path}/submit", follow_redirects=False,
        data={**form, "_csrf_token": csrf, "_started": garble(started)},
    )
    assert response.status_code == 303 and response.headers["location"] == sent
    assert await stored(app) == (0, 0, 0)


@pytest.mark.parametrize("where", ["field", "header", "cookie"])
@pytest.mark.parametrize("path", ["/apply", "/apply/submit", "/collaborate/submit"])
async def test_non_ascii_csrf_token_is_refused_like_a_wrong_one(
    client: Client, app: Litestar, where: str, path: str
) -> None:
    csrf, started = await opened(client, path.removesuffix("/submit"))
    garbled = csrf[:64] + "ａ" * (len(csrf) - 64)
    form = {**VALID_FORM, "_started": started,
            "_csrf_token": garbled if where == "field" else csrf}
    headers: dict[str, Any] = {}
    if where == "header":  # headers are latin-1: é is the non-ASCII one can send
        form.pop("_csrf_token")
        headers["x-csrftoken"] = (csrf[:64] + "é" * 64).encode("latin-1")
    if where == "cookie":
        headers["cookie"] = f"ouen_csrf={csrf[:64]}{'é' * 64}".encode("latin-1")
    response = await client.post(path, data=form, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert "この操作は受け付けられませんでした" in response.text
    assert await stored(app) == (0, 0, 0)


async def test_non_ascii_verification_token_post_is_404(client: Client) -> None:
    csrf, _ = await opened(client, "/apply")
    for token in ("あ" * 43, "ａ" * 43, quote("\ud800", errors="surrogatepass"), "%ff"):
        assert (await client.get(f"/verify/{token}")).status_code == 404
        posted = await client.post(f"/verify/{token}", data={"_csrf_token": csrf})
        assert posted.status_code == 404 and "このリンクは無効です" in posted.text


EVERY_FIELD = sorted({*FIELDS, *TEXT_FIELDS, *LIST_FIELDS, *CONTROL_FIELDS})
NASTY = ("1.あ", "x" * 64 + "ａ" * 8, "é" * 70, "\u3000𠮷\u202e\ufeff", "０７８－３２２",
         "\x00\r\n")


async def post_everywhere(client: Client, changes: dict[str, str]) -> None:
    """The proposal and collaborator forms, confirmation and submit, with `changes`."""
    csrf, started = await opened(client, "/apply")
    hidden = {"_csrf_token": csrf, "_started": started, "h-captcha-response": "pass"}
    for path, fields in (("/apply", VALID_FORM), ("/collaborate", COLLABORATOR_FORM)):
        form = {**fields, **hidden, **changes}
        for action in (path, f"{path}/submit"):
            response = await client.post(action, data=form, follow_redirects=False)
            assert response.status_code in ANSWERS | {200}, (action, response.status_code)
    verify = await client.post("/verify/" + quote(changes.get("token", "x" * 43), safe=""),
                               data={**hidden, **changes})
    assert verify.status_code in ANSWERS, verify.status_code


@pytest.mark.parametrize("value", NASTY)
async def test_non_ascii_in_each_field_is_never_a_500(
    settings: Settings, captcha: CaptchaStub, value: str
) -> None:
    """With the CAPTCHA on, so `h-captcha-response` really travels to siteverify."""
    async with running(create_app(captcha_settings(settings, captcha))) as client:
        for name in EVERY_FIELD:
            await post_everywhere(client, {name: value})


@hypothesis.settings(max_examples=30, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
@given(controls=st.fixed_dictionaries({}, optional=dict.fromkeys(CONTROL_FIELDS, VALUE)),
       fields=st.dictionaries(st.sampled_from(EVERY_FIELD), VALUE, max_size=3),
       token=VALUE)
async def test_arbitrary_unicode_anywhere_is_never_a_500(
    settings: Settings, captcha: CaptchaStub, controls: dict[str, str],
    fields: dict[str, str], token: str,
) -> None:
    async with running(create_app(captcha_settings(settings, captcha))) as client:
        await post_everywhere(client, {**fields, **controls, "token": token})
