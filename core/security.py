"""Security headers for every response, including error pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import unquote_plus

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from core.web import CONTROL_CHARACTERS, MAX_ID, AnyRequest

HCAPTCHA_ORIGINS = "https://hcaptcha.com https://*.hcaptcha.com"
MAX_BODY_BYTES = 256 * 1024  # a full 8,000-character Japanese body is ~72 KB urlencoded


def content_security_policy(settings: Settings, with_captcha: bool = True) -> str:
    """The policy; hCaptcha's origins only where a form shows the CAPTCHA."""
    captcha = f" {HCAPTCHA_ORIGINS}" if settings.captcha == "hcaptcha" and with_captcha else ""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self'{captcha}",
            f"style-src 'self'{captcha}",
            f"frame-src{captcha}" if captcha else "frame-src 'none'",
            f"connect-src 'self'{captcha}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# Pages with forms, tokens or staff data: never stored by browsers or proxies.
PRIVATE_PATHS = ("/verify/", "/apply", "/collaborate", "/introductions/", "/stories/", "/admin",
                 "/my")


def shows_captcha(path: str) -> bool:
    """The pages of the public forms that carry the CAPTCHA (and their re-rendered steps)."""
    return path.startswith(("/apply", "/collaborate")) or path in ("/my", "/my/")


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before_send hook adding the headers; HSTS only in production (https)."""
    captcha_csp = content_security_policy(settings)
    plain_csp = content_security_policy(settings, with_captcha=False)
    headers = {
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.production:
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            mutable = MutableScopeHeaders.from_message(message)
            for name, value in headers.items():
                mutable[name] = value
            path = scope.get("path", "")
            mutable["content-security-policy"] = (
                captcha_csp if shows_captcha(path) else plain_csp)
            if path.startswith(PRIVATE_PATHS):
                mutable["cache-control"] = "no-store"
            elif "set-cookie" in mutable and "cache-control" not in mutable:
                # A response that sets a cookie is for this browser only.
                mutable["cache-control"] = "private, no-cache"

    return before_send


_FORM_TYPES = (b"application/x-www-form-urlencoded",)
_UPLOAD_TYPES = (*_FORM_TYPES, b"multipart/form-data")
UPLOADS_OPT = "accepts_uploads"  # the one kind of route that takes files: opt={UPLOADS_OPT: True}
UPLOAD_MAX_BODY_BYTES = 6 * 1024 * 1024  # a 5 MB photo, its alt text and the multipart framing


def input_guard(app: ASGIApp) -> ASGIApp:
    """Refuse what no page of ours sends, before anything parses it: bodies that are not
    urlencoded forms (415; multipart only where a route declares UPLOADS_OPT), paths with a
    NUL or an integer no row can have (404), query strings with control characters (422; form
    fields are checked by core.web.form_fields). Middleware runs after routing, so the handler
    and its parsed path parameters are known."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            path = scope.get("path", "")
            if "\x00" in path or (path.startswith("/static/") and len(path.encode()) > 255):
                raise NotFoundException()
            # Every integer in a route's path is a row id: beyond a 32-bit key it names no
            # row (and PostgreSQL would refuse to compare it), so no route sees one.
            for value in scope.get("path_params", {}).values():
                if isinstance(value, int) and not 0 <= value <= MAX_ID:
                    raise NotFoundException()
            query = scope.get("query_string", b"")
            if query and CONTROL_CHARACTERS.search(unquote_plus(query.decode("latin-1"))):
                raise HTTPException(status_code=422, detail="control characters")
            if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE"):
                content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
                kind = content_type.split(b";")[0].strip().lower()
                handler = scope.get("route_handler")
                uploads = handler is not None and handler.opt.get(UPLOADS_OPT) is True
                if kind not in (_UPLOAD_TYPES if uploads else _FORM_TYPES):
                    raise HTTPException(status_code=415)
        await app(scope, receive, send)

    return middleware


_FORM_KINDS = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)


def csrf_token_guard(app: ASGIApp) -> ASGIApp:
    """Refuse an unsafe request whose CSRF token (form field, header or cookie) is not ASCII
    with the 403 a wrong token gets. Litestar's CSRF check compares tokens with
    `hmac.compare_digest` on str, which raises TypeError on non-ASCII text: a 500."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        litestar_app = scope.get("litestar_app")
        config = litestar_app.csrf_config if litestar_app else None
        if (scope["type"] == ScopeType.HTTP and config is not None
                and scope.get("method") not in config.safe_methods):
            request: AnyRequest = litestar_app.request_class(scope=scope, receive=receive)
            tokens = [request.cookies.get(config.cookie_name),
                      request.headers.get(config.header_name)]
            if request.content_type[0] in _FORM_KINDS:
                # Parsed once: the CSRF check and the handler read the cached form.
                tokens.append((await request.form()).get("_csrf_token"))
            if any(isinstance(token, str) and not token.isascii() for token in tokens):
                raise PermissionDeniedException("CSRF token verification failed")
        await app(scope, receive, send)

    return middleware


def head_as_get(app: ASGIApp) -> ASGIApp:
    """HEAD on any page answers as GET would, without the body (uptime monitors and link
    checkers send HEAD; Litestar routes HEAD only to handlers declared for it). Wraps the
    whole application, since routing would refuse HEAD before any middleware runs."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method") != "HEAD":
            await app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app({**scope, "method": "GET"}, receive, without_body)

    return handler


OWN_COOKIES = ("ouen_staff", "ouen_my", "ouen_csrf", "lang")
SESSION_COOKIES = ("ouen_staff", "ouen_my", "ouen_csrf")  # `__Host-` in production
HOST_PREFIX = "__Host-"


def _parse_cookie_header(value: bytes, seen: dict[str, str], planted: set[str],
                         prefixed: bool) -> list[str]:
    """The parts of one Cookie header to keep: first occurrences only; in production the
    session cookies only under their `__Host-` names, which are passed on without it."""
    kept = []
    for part in value.decode("latin-1").split(";"):
        key, _sep, rest = part.strip().partition("=")
        if prefixed:
            if key in SESSION_COOKIES:
                planted.add(key)  # a session cookie without the prefix is not ours
                continue
            if key.startswith(HOST_PREFIX) and key[len(HOST_PREFIX):] in SESSION_COOKIES:
                key = key[len(HOST_PREFIX):]
        if key in seen:
            planted.add(key)
            continue
        seen[key] = rest
        kept.append(f"{key}={rest}")
    return kept


def _host_prefixed(header: bytes) -> bytes:
    """A Set-Cookie of a session cookie under its `__Host-` name: Path=/ and Secure, as the
    prefix demands (the browser then refuses any such cookie not set by this host)."""
    text = header.decode("latin-1")
    name = text.split("=", 1)[0].strip()
    if name not in SESSION_COOKIES:
        return header
    attributes = [a.strip() for a in text.split(";")[1:]]
    kept = [a for a in attributes if not a.lower().startswith(("path=", "domain=", "secure"))]
    first = text.split(";")[0].strip()
    return "; ".join([HOST_PREFIX + first, *kept, "Path=/", "Secure"]).encode("latin-1")


def cookie_guard(app: ASGIApp, production: bool) -> ASGIApp:
    """Each cookie counts once, by its first occurrence. Browsers send the cookie of the
    most specific path first; Litestar keeps the *last* of two with one name, so a cookie
    planted at `Path=/` (a sibling subdomain can) would beat ours at `/admin` and sign-in
    would silently fail. Later duplicates are dropped before anything reads the header, and
    a duplicate of one of our cookies is cleared at `Path=/` in the response.

    In production the session and CSRF cookies travel as `__Host-ouen_staff`,
    `__Host-ouen_my` and `__Host-ouen_csrf` (Path=/, Secure, no Domain: no other host can set
    them); the application inside sees and sets them under their plain names."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = list(scope.get("headers", []))
        seen: dict[str, str] = {}
        planted: set[str] = set()
        for index, (name, value) in enumerate(headers):
            if name == b"cookie":
                kept = _parse_cookie_header(value, seen, planted, production)
                headers[index] = (b"cookie", "; ".join(kept).encode("latin-1"))
        clear = [key for key in sorted(planted) if key in OWN_COOKIES]

        async def rewriting(message: Message) -> None:
            if message["type"] == "http.response.start" and (production or clear):
                out = [(n, _host_prefixed(v) if production and n == b"set-cookie" else v)
                       for n, v in message.get("headers", [])]
                out += [(b"set-cookie", f"{key}=; Path=/; Max-Age=0".encode())
                        for key in clear]
                message = {**message, "headers": out}
            await send(message)

        await app({**scope, "headers": headers}, receive, rewriting)

    return handler
