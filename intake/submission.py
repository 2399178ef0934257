"""What every public submission passes before anything is stored, in this order: a readable
CSRF token (core.security.csrf_token_guard, app-wide), the honeypot and the signed minimum
fill time, the form's age, the rate limit per address, the CAPTCHA, the rate limit per
email."""

from __future__ import annotations

import logging

from core import i18n
from core.crypto import FieldCipher, Signer
from core.logs import log
from core.web import AnyRequest, client_ip, language_of, settings_of
from intake.captcha import CaptchaResult, verify_captcha

logger = logging.getLogger("ouen.intake")
HONEYPOT = "fax_number"
STARTED = "_started"


def form_signer(request: AnyRequest) -> Signer:
    signer: Signer = request.app.state.form_signer
    return signer


def started_stamp(request: AnyRequest) -> str:
    """The signed time a form was opened, carried through the form as a hidden field."""
    return form_signer(request).timestamp()


def _age(request: AnyRequest, form: dict[str, str]) -> float | None:
    return form_signer(request).age(form.get(STARTED, ""))


def looks_automated(request: AnyRequest, form: dict[str, str]) -> bool:
    """The honeypot was filled, or the form came back faster than a person can fill it.
    Callers answer such a bot exactly as they answer people, and store nothing."""
    age = _age(request, form)
    if form.get(HONEYPOT) or age is None or age < settings_of(request).form_min_seconds:
        log(logger, logging.INFO, "submission dropped", reason="honeypot or timing")
        return True
    return False


def open_too_long(request: AnyRequest, form: dict[str, str]) -> str | None:
    """A notice when the form was opened too long ago (a replayed page), else None."""
    age = _age(request, form)
    if age is None or age <= settings_of(request).form_max_age_seconds:
        return None
    _ = i18n.make_gettext(language_of(request))
    return _("The form was open for too long. Please check your entries and send them again.")


async def address_within_limit(request: AnyRequest, scope: str) -> str | None:
    """Count one submission from the client's address in `scope`: its IP, or None once over
    the limit. Counted before the CAPTCHA, which it shields from floods."""
    settings = settings_of(request)
    ip = client_ip(request, settings.trusted_proxies)
    cipher: FieldCipher = request.app.state.cipher
    if await request.app.state.rate_limiter.hit(
        f"{scope}:ip:{cipher.blind_index(ip)}", settings.submit_limit_ip_per_hour, 3600
    ):
        return ip
    log(logger, logging.WARNING, "submission rate limited", limit="address")
    return None


async def email_within_limit(request: AnyRequest, scope: str, email: str) -> str | None:
    """Count one submission for `email` in `scope`: its blind index, or None once over the
    limit. Only after the CAPTCHA passed: anyone can type someone else's address, and posts
    that never proved a person was there must not lock its owner out for an hour."""
    settings = settings_of(request)
    cipher: FieldCipher = request.app.state.cipher
    email_bidx = cipher.blind_index(email)
    if await request.app.state.rate_limiter.hit(
        f"{scope}:email:{email_bidx}", settings.submit_limit_email_per_hour, 3600
    ):
        return email_bidx
    log(logger, logging.WARNING, "submission rate limited", limit="email")
    return None


async def captcha_refusal(
    request: AnyRequest, form: dict[str, str], ip: str
) -> tuple[int, str] | None:
    """None when the CAPTCHA passed, else the status and notice for the confirmation page."""
    settings = settings_of(request)
    captcha = await verify_captcha(
        settings, request.app.state.http, form.get("h-captcha-response", ""), ip
    )
    if captcha is CaptchaResult.PASSED:
        return None
    _ = i18n.make_gettext(language_of(request))
    if captcha is CaptchaResult.UNAVAILABLE:
        return 503, _("We could not check the CAPTCHA just now. Nothing has been sent; "
                      "please try again in a few minutes.")
    return 422, _("The CAPTCHA check did not pass. Please complete it and send again.")
