"""hCaptcha siteverify over httpx: success *and* our hostname, fail closed (PITFALLS)."""

from __future__ import annotations

import enum
import logging

import httpx

from core.logs import log
from core.settings import Settings

logger = logging.getLogger("ouen.captcha")
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


class CaptchaResult(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"


async def verify_captcha(
    settings: Settings, client: httpx.AsyncClient, response: str, remote_ip: str
) -> CaptchaResult:
    """Ask the siteverify endpoint; anything but a clear yes for our host is a no."""
    if settings.captcha == "disabled":
        return CaptchaResult.PASSED
    if not response or len(response) > 10_000:
        return CaptchaResult.FAILED
    try:
        reply = await client.post(
            settings.hcaptcha_verify_url,
            data={
                "secret": settings.hcaptcha_secret,
                "response": response,
                "remoteip": remote_ip,
                "sitekey": settings.hcaptcha_sitekey,
            },
            timeout=TIMEOUT,
        )
        reply.raise_for_status()
        result = reply.json()
    except (httpx.HTTPError, ValueError) as exc:
        log(logger, logging.WARNING, "captcha service unavailable", error=type(exc).__name__)
        return CaptchaResult.UNAVAILABLE
    if not isinstance(result, dict):
        return CaptchaResult.UNAVAILABLE
    if result.get("success") is True and result.get("hostname") == settings.base_host:
        return CaptchaResult.PASSED
    log(logger, logging.INFO, "captcha rejected", codes=str(result.get("error-codes", ""))[:200])
    return CaptchaResult.FAILED
