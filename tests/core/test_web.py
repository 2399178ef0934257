"""Pages every visitor sees: languages, headers, error pages, health."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar import Litestar, get

from app import create_app
from core.i18n import choose_language, parse_accept_language
from core.settings import Settings
from tests.conftest import running


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        (None, None, None, "ja"),
        ("en", None, None, "en"),
        (None, "en", "ja", "en"),
        ("ja", "en", "en", "ja"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "fr-FR, en;q=0.5, ja;q=0.8", "ja"),
        ("xx", "yy", "de", "ja"),
    ],
)
def test_language_choice(query: Any, cookie: Any, header: Any, expected: str) -> None:
    assert choose_language(query, cookie, header) == expected


def test_accept_language_ignores_garbage() -> None:
    assert parse_accept_language("en;q=abc, ja;q=0") is None


async def test_home_explains_steps_and_categories(client: Any) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    expected = ("① 募集", "② コーディネート", "③ 情報発信", "子ども", "外国人",
                "文化芸術・スポーツ")
    for text in expected:
        assert text in page.text
    assert 'href="#main"' in page.text and "<main" in page.text and "<nav" in page.text


async def test_language_switch_sets_cookie(client: Any) -> None:
    page = await client.get("/?lang=en")
    assert '<html lang="en">' in page.text and "How it works" in page.text
    assert "lang=en" in page.headers["set-cookie"]
    again = await client.get("/")
    assert '<html lang="en">' in again.text
    assert 'href="/?lang=ja"' in again.text


async def test_privacy_page_shows_policy_version(client: Any) -> None:
    from intake.services import POLICY_VERSION

    page = await client.get("/privacy")
    assert page.status_code == 200 and POLICY_VERSION in page.text


async def test_security_headers(client: Any) -> None:
    page = await client.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in page.headers  # not in development/test
    missing = await client.get("/does-not-exist")
    assert missing.headers["x-content-type-options"] == "nosniff"


async def test_hsts_and_secure_cookies_in_production(settings: Settings) -> None:
    prod = settings.with_changes(env="production")
    async with running(create_app(prod), "https://ouen.test") as client:
        page = await client.get("/apply")
    assert "max-age=" in page.headers["strict-transport-security"]
    assert "Secure" in page.headers["set-cookie"]


async def test_404_in_both_languages(client: Any) -> None:
    ja = await client.get("/nowhere")
    assert ja.status_code == 404 and "ページが見つかりません" in ja.text
    en = await client.get("/nowhere", headers={"accept-language": "en"})
    assert en.status_code == 404 and "Page not found" in en.text


async def test_405_is_friendly(client: Any) -> None:
    response = await client.get("/apply/submit")
    assert response.status_code == 405 and "トップページからもう一度" in response.text


def failing_app(settings: Settings) -> Litestar:
    """The application with one more route, /boom, that raises."""
    @get("/boom")
    async def boom() -> str:
        raise RuntimeError("kaboom")

    app = create_app(settings)
    app.register(boom)
    return app


async def test_500_is_friendly_and_logged(settings: Settings, captured_logs: Any) -> None:
    async with running(failing_app(settings)) as client:
        response = await client.get("/boom", headers={"accept-language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "kaboom" not in response.text and "Traceback" not in response.text
    logs = captured_logs.getvalue()
    assert "unhandled exception" in logs and "RuntimeError" in logs


async def test_500_is_friendly_in_japanese(settings: Settings, captured_logs: Any) -> None:
    async with running(failing_app(settings)) as client:
        default = await client.get("/boom")
        chosen = await client.get("/boom?lang=ja", headers={"accept-language": "en"})
    for response in (default, chosen):
        assert response.status_code == 500
        assert '<html lang="ja">' in response.text
        assert "システムでエラーが発生しました" in response.text
        assert "入力された内容は記録に残りません" in response.text
        assert "Something went wrong" not in response.text
        assert "kaboom" not in response.text and "Traceback" not in response.text
    assert captured_logs.getvalue().count("unhandled exception") == 2


async def test_health_probes(client: Any) -> None:
    assert (await client.get("/healthz")).text == "ok"
    assert (await client.get("/readyz")).text == "ok"


async def test_non_form_bodies_are_refused_before_parsing(client: Any) -> None:
    page = await client.get("/apply")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    files = {"_csrf_token": ("t.txt", token.encode()), "body": ("b.txt", b"\xff\xfe")}
    multipart = await client.post("/apply", files=files, headers={"x-csrftoken": token})
    assert multipart.status_code == 415 and "この形式の送信は受け付けていません" in multipart.text
    as_json = await client.post("/apply/submit", json={"email": "x@example.jp"})
    assert as_json.status_code == 415


@pytest.mark.parametrize("path", ["/static/%00", "/static/" + "a" * 300, "/static/../app.py"])
async def test_odd_static_paths_are_404(client: Any, path: str) -> None:
    assert (await client.get(path)).status_code == 404


async def test_refused_requests_are_logged_with_their_status(
    client: Any, captured_logs: Any
) -> None:
    await client.post("/apply/submit", data={"email": "x@example.jp"})  # no CSRF token
    assert '"status": 403' in captured_logs.getvalue()


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x", "///evil.example",
                                  "/%2F%2Fevil.example/x"])
async def test_the_language_link_of_any_page_stays_on_the_site(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    links = re.findall(r'href="([^"]*lang=en[^"]*)"', response.text)
    assert links and all(link.startswith("/") and not link.startswith(("//", "/\\"))
                         for link in links), links
    assert "evil.example" not in " ".join(links)


async def test_the_language_link_keeps_the_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/apply")
    assert 'href="/apply?lang=en"' in page.text


@pytest.mark.parametrize("path", ["/", "/projects", "/projects/feed.atom", "/apply", "/nowhere"])
async def test_one_charset_in_every_content_type(client: httpx.AsyncClient, path: str) -> None:
    content_type = (await client.get(path)).headers["content-type"]
    assert content_type.count("charset") == 1 and content_type.endswith("charset=utf-8")


@pytest.mark.parametrize("path", ["/", "/apply", "/healthz", "/projects", "/privacy"])
async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient, path: str
                                                    ) -> None:
    get_response = await client.get(path)
    head = await client.head(path)
    assert head.status_code == get_response.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == (
        get_response.headers["content-type"])


async def test_head_on_a_missing_page_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.head("/nowhere")).status_code == 404
