"""Request helpers shared by every package: page rendering, language, client address."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from core import i18n
from core.crypto import Sealer
from core.settings import Settings

AnyRequest = Request[Any, Any, Any]


def settings_of(request: AnyRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def language_of(request: AnyRequest) -> str:
    """The page language: ?lang=, then the cookie, then Accept-Language, then Japanese."""
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def client_ip(request: AnyRequest, trusted_proxies: tuple[str, ...]) -> str:
    """The peer address, or the last untrusted hop of X-Forwarded-For behind a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies or peer not in trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer


async def form_fields(request: AnyRequest) -> dict[str, str]:
    """The urlencoded form as text fields (file parts never reach us: input_guard)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def form_lists(request: AnyRequest, *names: str) -> dict[str, list[str]]:
    """Every value of fields that repeat (checkbox groups), in the order sent."""
    form = await request.form()
    return {name: [v for v in form.getall(name, []) if isinstance(v, str)] for name in names}


def page_context(request: AnyRequest) -> dict[str, Any]:
    """What every page's chrome needs: the language, its translations and the switch link."""
    lang = language_of(request)
    tr = i18n.translations(lang)
    other = "en" if lang == "ja" else "ja"
    path = request.url.path if request.method in ("GET", "HEAD") else "/"
    return {
        "_": i18n.make_gettext(lang),
        "ngettext": tr.ngettext,
        "lang": lang,
        "other_lang": other,
        "lang_switch_url": f"{path}?lang={other}",
        "settings": settings_of(request),
    }


def render(
    request: AnyRequest, template: str, status: int = 200, **context: Any
) -> Template:
    """A page in the request's language, with the chrome every page needs."""
    settings = settings_of(request)
    cookies: list[Cookie] = []
    if request.query_params.get("lang") in i18n.LANGUAGES:
        cookies.append(
            Cookie(
                key=i18n.LANG_COOKIE,
                value=language_of(request),
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=settings.production,
            )
        )
    return Template(
        template_name=template,
        context={**page_context(request), **context},
        status_code=status,
        cookies=cookies,
    )


MAX_ID = 2**31 - 1  # integer primary keys are 32-bit on PostgreSQL
SEARCH_FIELD, SEALED_FIELD = "q", "qe"


SEARCH_TTL = 12 * 3600  # a staff session's longest life


@functools.cache
def search_sealer(secret_key: str) -> Sealer:
    return Sealer(secret_key, "search-term", ttl=SEARCH_TTL)


def sealed_search(request: AnyRequest, reader: str) -> str:
    """The staff search term of a list URL. Free text may hold a name, so it never travels
    in the clear: the filter form is POSTed and redirected to `?qe=<sealed>`, sealed with a
    key of its own for `reader` (the staff member) and valid for 12 hours. Anything else
    given as `qe` — a ciphertext from the database, another member's link — finds nothing."""
    token = request.query_params.get(SEALED_FIELD, "")
    if not token or len(token) > 1000:
        return ""
    text = search_sealer(settings_of(request).secret_key).unseal(token, reader)
    return (text or "").strip()[:100]


async def search_redirect(request: AnyRequest, reader: str, path: str) -> Redirect:
    """POSTed filters → the list URL, with the search term sealed (see sealed_search)."""
    form = await form_fields(request)
    params = {k: v for k, v in form.items()
              if v and k not in ("_csrf_token", SEARCH_FIELD, SEALED_FIELD, "after")}
    term = form.get(SEARCH_FIELD, "").strip()[:100]
    if term:
        params[SEALED_FIELD] = search_sealer(settings_of(request).secret_key).seal(term, reader)
    return Redirect(path=f"{path}?{urlencode(params)}" if params else path, status_code=303)


def parse_id(value: str | None) -> int | None:
    """A database id from user input: ASCII digits in range, else None ("²".isdigit() is
    True, and 20 digits overflow the column)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
