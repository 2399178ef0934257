"""Request helpers shared by every package: page rendering, language, client address."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
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


# Characters no form of ours sends and no database column should hold (PostgreSQL refuses
# NUL outright): C0 controls except tab and line breaks, DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(values: Iterable[str]) -> None:
    """The one check every text input passes: a 422 page in the visitor's language when a
    value holds a control character (core/error_pages.py), before anything uses it."""
    if any(CONTROL_CHARACTERS.search(value) for value in values):
        raise HTTPException(status_code=422, detail="control characters")


async def form_fields(request: AnyRequest, validated: bool = False) -> dict[str, str]:
    """The urlencoded form as text fields (file parts never reach us: input_guard), refused
    whole if any holds a control character — unless `validated`: the caller's validation
    checks each field it stores and answers field by field, keeping what was typed (the
    citizen's forms, where a pasted vertical tab should not cost a long text)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not validated:
        refuse_control_characters(fields.values())
    return fields


async def form_lists(request: AnyRequest, *names: str, validated: bool = False
                     ) -> dict[str, list[str]]:
    """Every value of fields that repeat (checkbox groups), in the order sent."""
    form = await request.form()
    lists = {name: [v for v in form.getall(name, []) if isinstance(v, str)] for name in names}
    if not validated:
        refuse_control_characters(v for values in lists.values() for v in values)
    return lists


def html_datetime(moment: datetime) -> str:
    """A stored moment (UTC) as HTML's <time datetime> wants it: whole seconds and a zone
    (`2026-12-04T09:30:00Z`); the W3C checker refuses microseconds there."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _self_path(request: AnyRequest) -> str:
    """The path of a link back to this page: the path a route matched, never the raw path of
    an unmatched one (`//evil.example/x` would make the link leave the site), with one
    leading slash; the home page for POSTs and unmatched paths."""
    if request.method not in ("GET", "HEAD") or not request.scope.get("path_template"):
        return "/"
    return "/" + request.url.path.lstrip("/\\")


def page_context(request: AnyRequest) -> dict[str, Any]:
    """What every page's chrome needs: the language, its translations and the switch link."""
    lang = language_of(request)
    tr = i18n.translations(lang)
    other = "en" if lang == "ja" else "ja"
    path = _self_path(request)
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
