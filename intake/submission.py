"""What every public submission passes before anything is stored, in this order: a readable
CSRF token (core.security.csrf_token_guard, app-wide), the honeypot and the signed minimum
fill time, the form's age, the rate limit per address, the CAPTCHA, the rate limit per
email."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import httpx
from litestar.di import NamedDependency

from core import i18n
from core.context import Cipher, ClientIp, Config, FormSigner, Http, Limiter
from core.crypto import FieldCipher, Signer
from core.logs import log
from core.ratelimit import RateLimiter
from core.settings import Settings
from core.web import AnyRequest, language_of
from intake.captcha import CaptchaResult, verify_captcha

logger = logging.getLogger("ouen.intake")
HONEYPOT = "fax_number"
STARTED = "_started"


@dataclass
class Gate:
    """The checks of one public submission request."""

    request: AnyRequest
    settings: Settings
    limiter: RateLimiter
    cipher: FieldCipher
    signer: Signer
    http: httpx.AsyncClient
    ip: str

    def _(self, message: str) -> str:
        return i18n.make_gettext(language_of(self.request))(message)

    def started_stamp(self) -> str:
        """The signed time a form was opened, carried through the form as a hidden field."""
        return self.signer.timestamp()

    def _age(self, form: dict[str, str]) -> float | None:
        return self.signer.age(form.get(STARTED, ""))

    def looks_automated(self, form: dict[str, str]) -> bool:
        """The honeypot was filled, or the form came back faster than a person can fill it.
        Callers answer such a bot exactly as they answer people, and store nothing."""
        age = self._age(form)
        if form.get(HONEYPOT) or age is None or age < self.settings.form_min_seconds:
            log(logger, logging.INFO, "submission dropped", reason="honeypot or timing")
            return True
        return False

    def _stamp_key(self, form: dict[str, str]) -> str:
        return "stamp:" + hashlib.sha256(form.get(STARTED, "").encode()).hexdigest()

    async def claim_stamp(self, form: dict[str, str]) -> bool:
        """The form's signed start stamp, used once: False when a submission with it was
        stored already (a replayed or double-sent form, answered like the first)."""
        claimed = await self.limiter.claim(self._stamp_key(form),
                                           self.settings.form_max_age_seconds + 60)
        if not claimed:
            log(logger, logging.INFO, "submission dropped", reason="stamp used")
        return claimed

    async def release_stamp(self, form: dict[str, str]) -> None:
        """The submission was not stored after all (the database failed): it may come again."""
        await self.limiter.release(self._stamp_key(form))

    def open_too_long(self, form: dict[str, str]) -> str | None:
        """A notice when the form was opened too long ago (a replayed page), else None."""
        age = self._age(form)
        if age is None or age <= self.settings.form_max_age_seconds:
            return None
        return self._("The form was open for too long. Please check your entries and send "
                      "them again.")

    async def address_within_limit(self, scope: str) -> bool:
        """Count one submission from the client's address in `scope`; False once over the
        limit. Counted before the CAPTCHA, which it shields from floods."""
        key = f"{scope}:ip:{self.cipher.blind_index(self.ip)}"
        if await self.limiter.hit(key, self.settings.submit_limit_ip_per_hour, 3600):
            return True
        log(logger, logging.WARNING, "submission rate limited", limit="address")
        return False

    async def email_within_limit(self, scope: str, email: str) -> str | None:
        """Count one submission for `email` in `scope`: its blind index, or None once over
        the limit. Only after the CAPTCHA passed: anyone can type someone else's address,
        and posts that never proved a person was there must not lock its owner out."""
        email_bidx = self.cipher.blind_index(email)
        limit = self.settings.submit_limit_email_per_hour
        if await self.limiter.hit(f"{scope}:email:{email_bidx}", limit, 3600):
            return email_bidx
        log(logger, logging.WARNING, "submission rate limited", limit="email")
        return None

    async def captcha_refusal(self, form: dict[str, str]) -> tuple[int, str] | None:
        """None when the CAPTCHA passed, else the status and notice for the confirmation
        page."""
        captcha = await verify_captcha(self.settings, self.http,
                                       form.get("h-captcha-response", ""), self.ip)
        if captcha is CaptchaResult.PASSED:
            return None
        if captcha is CaptchaResult.UNAVAILABLE:
            return 503, self._("We could not check the CAPTCHA just now. Nothing has been sent; "
                               "please try again in a few minutes.")
        return 422, self._("The CAPTCHA check did not pass. Please complete it and send again.")


def provide_gate(request: AnyRequest, settings: Config, limiter: Limiter, cipher: Cipher,
                 form_signer: FormSigner, http: Http, ip: ClientIp) -> Gate:
    return Gate(request, settings, limiter, cipher, form_signer, http, ip)


Checks = NamedDependency[Gate]
