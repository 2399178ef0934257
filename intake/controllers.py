"""Public proposal form: input → confirmation (確認画面) → submit → email verification."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from core import i18n
from core.crypto import Signer
from core.logs import log
from core.web import AnyRequest, client_ip, form_fields, language_of, render, settings_of
from intake import messages
from intake.captcha import CaptchaResult, verify_captcha
from intake.services import TokenState, submit_proposal, token_state, verify_email
from intake.validation import CATEGORIES, WARDS, Validation, validate_proposal

logger = logging.getLogger("ouen.intake")
HONEYPOT = "fax_number"
STARTED = "_started"
DB = NamedDependency[AsyncSession]


def _signer(request: AnyRequest) -> Signer:
    signer: Signer = request.app.state.form_signer
    return signer


def _form_page(
    request: AnyRequest, result: Validation | None, status: int, notice: str | None = None,
    started: str | None = None,
) -> Template:
    _ = i18n.make_gettext(language_of(request))
    errors = result.errors if result else {}
    messages_by_field = {
        name: _(messages.ERRORS[code], field=_(messages.LABELS[name]))
        for name, code in errors.items()
    }
    return render(
        request,
        "intake/apply/form.html",
        status=status,
        values=result.values if result else {},
        errors=messages_by_field,
        notice=notice,
        started=started or _signer(request).timestamp(),
        **_choices(),
    )


def _choices() -> dict[str, Any]:
    return {
        "categories": [(c, messages.CATEGORY_LABELS[c]) for c in CATEGORIES],
        "wards": [(w, messages.WARD_LABELS[w]) for w in WARDS],
        "labels": messages.LABELS,
        "honeypot": HONEYPOT,
        "started_field": STARTED,
    }


def _confirm_page(
    request: AnyRequest, result: Validation, started: str, status: int = 200,
    notice: str | None = None,
) -> Template:
    return render(
        request, "intake/apply/confirm.html", status=status, values=result.values,
        data=result.data, started=started, notice=notice, **_choices(),
    )



class ApplyController(Controller):
    path = "/apply"

    @get("/", name="intake.apply.form")
    async def show_form(self, request: AnyRequest) -> Template:
        return _form_page(request, None, 200)

    @post("/", name="intake.apply.confirm")
    async def confirm(self, request: AnyRequest) -> Template:
        form = await form_fields(request)
        result = validate_proposal(form)
        started = form.get(STARTED, "")
        if result.errors or form.get("edit"):
            status = 422 if result.errors and not form.get("edit") else 200
            return _form_page(request, result, status, started=started or None)
        return _confirm_page(request, result, started)

    @post("/submit", name="intake.apply.submit")
    async def submit(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        settings = settings_of(request)
        form = await form_fields(request)
        started = form.get(STARTED, "")
        age = _signer(request).age(started)
        if form.get(HONEYPOT) or age is None or age < settings.form_min_seconds:
            # Bots get the same answer as people, and nothing is stored or sent.
            log(logger, logging.INFO, "submission dropped", reason="honeypot or timing")
            return Redirect(path="/apply/sent", status_code=303)
        result = validate_proposal(form)
        if result.errors or result.data is None:
            return _form_page(request, result, 422)
        if age > settings.form_max_age_seconds:
            _ = i18n.make_gettext(language_of(request))
            notice = _("The form was open for too long. Please check your entries "
                                "and send them again.")
            return _form_page(request, result, 422, notice=notice)
        ip = client_ip(request, settings.trusted_proxies)
        cipher = request.app.state.cipher
        limiter = request.app.state.rate_limiter
        allowed_ip = await limiter.hit(
            f"submit:ip:{cipher.blind_index(ip)}", settings.submit_limit_ip_per_hour, 3600
        )
        email_bidx = cipher.blind_index(result.data.email)
        allowed_email = await limiter.hit(
            f"submit:email:{email_bidx}",
            settings.submit_limit_email_per_hour, 3600,
        )
        if not (allowed_ip and allowed_email):
            log(logger, logging.WARNING, "submission rate limited")
            return render(request, "intake/apply/limited.html", status=429)
        captcha = await verify_captcha(
            settings, request.app.state.http, form.get("h-captcha-response", ""), ip
        )
        if captcha is not CaptchaResult.PASSED:
            return _captcha_failed(request, result, started, captcha)
        submitted = await submit_proposal(
            db_session, cipher, request.app.state.audit, result.data, locale=language_of(request),
            base_url=settings.base_url, sender_domain=settings.mail_from.rpartition("@")[2],
            email_bidx=email_bidx, ip=ip,
        )
        log(logger, logging.INFO, "proposal submitted", proposal_id=submitted.proposal_id)
        return Redirect(path="/apply/sent", status_code=303)

    @get("/sent", name="intake.apply.sent")
    async def sent(self, request: AnyRequest) -> Template:
        return render(request, "intake/apply/sent.html")


def _captcha_failed(
    request: AnyRequest, result: Validation, started: str, captcha: CaptchaResult
) -> Template:
    _ = i18n.make_gettext(language_of(request))
    if captcha is CaptchaResult.UNAVAILABLE:
        notice = _("We could not check the CAPTCHA just now. Nothing has been sent; "
                            "please try again in a few minutes.")
        return _confirm_page(request, result, started, status=503, notice=notice)
    notice = _("The CAPTCHA check did not pass. Please complete it and send again.")
    return _confirm_page(request, result, started, status=422, notice=notice)


_TOKEN_PAGES = {
    TokenState.USED: ("intake/verify/used.html", 410),
    TokenState.EXPIRED: ("intake/verify/expired.html", 410),
    TokenState.UNKNOWN: ("intake/verify/unknown.html", 404),
}


class VerifyController(Controller):
    path = "/verify"

    @get("/{token:str}", name="intake.verify.show")
    async def show(self, request: AnyRequest, token: FromPath[str], db_session: DB) -> Template:
        state = await token_state(db_session, token)
        if state is TokenState.VALID:
            return render(request, "intake/verify/confirm.html", token=token)
        template, status = _TOKEN_PAGES[state]
        return render(request, template, status=status)

    @post("/{token:str}", name="intake.verify.submit")
    async def verify(self, request: AnyRequest, token: FromPath[str], db_session: DB) -> Template:
        ip = client_ip(request, settings_of(request).trusted_proxies)
        state, ref = await verify_email(db_session, request.app.state.audit, token, ip=ip)
        if state is TokenState.VALID:
            log(logger, logging.INFO, "proposal verified")
            return render(request, "intake/verify/done.html", ref=ref)
        template, status = _TOKEN_PAGES[state]
        return render(request, template, status=status)
