"""Security headers for every response, including error pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from core.settings import Settings

HCAPTCHA_ORIGINS = "https://hcaptcha.com https://*.hcaptcha.com"
MAX_BODY_BYTES = 256 * 1024  # a full 8,000-character Japanese body is ~72 KB urlencoded


def content_security_policy(settings: Settings) -> str:
    captcha = f" {HCAPTCHA_ORIGINS}" if settings.captcha == "hcaptcha" else ""
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


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before_send hook adding the headers; HSTS only in production (https)."""
    headers = {
        "content-security-policy": content_security_policy(settings),
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
            if scope.get("path", "").startswith(("/verify/", "/apply")):
                mutable["cache-control"] = "no-store"

    return before_send
