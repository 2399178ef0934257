"""Public proposal form: input → confirmation (確認画面) → submit → email verification."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core import i18n
from core.context import DB, Audit, Cipher, ClientIp, Config, state_item
from core.error_pages import DATABASE_DOWN, log_outage
from core.logs import log
from core.web import AnyRequest, form_fields, language_of, render
from intake import messages
from intake.services import new_reference
from intake.submission import HONEYPOT, STARTED, Checks, Gate, provide_gate
from intake.validation import Validation, validate_proposal
from intake.verification import TokenCheck, TokenState, token_state, verify_email
from intake.vocabulary import CATEGORIES, WARDS
from intake.writer import SubmissionWriter, prepare_submission

logger = logging.getLogger("ouen.intake")
Writer = NamedDependency[SubmissionWriter]


def provide_writer(request: AnyRequest) -> SubmissionWriter:
    return state_item(request.app.state, "submissions", SubmissionWriter)


def _form_page(
    request: AnyRequest, gate: Gate, result: Validation | None, status: int,
    notice: str | None = None, started: str | None = None,
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
        started=started or gate.started_stamp(),
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
    dependencies = {  # noqa: RUF012
        "gate": Provide(provide_gate, sync_to_thread=False),
        "writer": Provide(provide_writer, sync_to_thread=False),
    }

    @get("/", name="intake.apply.form")
    async def show_form(self, request: AnyRequest, gate: Checks) -> Template:
        return _form_page(request, gate, None, 200)

    @post("/", name="intake.apply.confirm")
    async def confirm(self, request: AnyRequest, gate: Checks) -> Template:
        form = await form_fields(request, validated=True)
        result = validate_proposal(form)
        started = form.get(STARTED, "")
        if result.errors or form.get("edit"):
            status = 422 if result.errors and not form.get("edit") else 200
            return _form_page(request, gate, result, status, started=started or None)
        return _confirm_page(request, result, started)

    @post("/submit", name="intake.apply.submit")
    async def submit(self, request: AnyRequest, gate: Checks, writer: Writer, cipher: Cipher,
                     settings: Config) -> Template | Redirect:
        form = await form_fields(request, validated=True)
        if gate.looks_automated(form):
            return Redirect(path="/apply/sent", status_code=303)
        result = validate_proposal(form)
        if result.errors or result.data is None:
            return _form_page(request, gate, result, 422)
        notice = gate.open_too_long(form)
        if notice:
            return _form_page(request, gate, result, 422, notice=notice)
        if not await gate.address_within_limit("submit"):
            return render(request, "intake/apply/limited.html", status=429)
        refusal = await gate.captcha_refusal(form)
        if refusal:
            status, notice = refusal
            return _confirm_page(request, result, form.get(STARTED, ""), status, notice)
        email_bidx = await gate.email_within_limit("submit", result.data.email)
        if email_bidx is None:
            return render(request, "intake/apply/limited.html", status=429)
        if not await gate.claim_stamp(form):
            return Redirect(path="/apply/sent", status_code=303)
        # No request transaction here: the rows are prepared now and written by the group
        # commit writer (intake/writer.py), which answers once they have committed.
        prepared = prepare_submission(
            cipher, result.data, ref=new_reference(), locale=language_of(request),
            base_url=settings.base_url, sender_domain=settings.sender_domain,
            email_bidx=email_bidx, ip=gate.ip,
        )
        try:
            submitted = await writer.submit(prepared)
        except DATABASE_DOWN as exc:
            # Nothing was stored: the confirmation page again, everything kept, to send again.
            await gate.release_stamp(form)
            log_outage(exc)
            _ = i18n.make_gettext(language_of(request))
            return _confirm_page(request, result, form.get(STARTED, ""), 503,
                                 _(messages.NOT_SAVED_NOW))
        except BaseException:
            await gate.release_stamp(form)
            raise
        log(logger, logging.INFO, "proposal submitted", proposal_id=submitted.proposal_id)
        return Redirect(path="/apply/sent", status_code=303)

    @get("/sent", name="intake.apply.sent")
    async def sent(self, request: AnyRequest) -> Template:
        return render(request, "intake/apply/sent.html")


_TOKEN_PAGES = {
    TokenState.USED: ("intake/verify/used.html", 410),
    TokenState.EXPIRED: ("intake/verify/expired.html", 410),
    TokenState.UNKNOWN: ("intake/verify/unknown.html", 404),
}


def _token_page(request: AnyRequest, check: TokenCheck) -> Template:
    template, status = _TOKEN_PAGES[check.state]
    return render(request, template, status=status, kind=check.kind)


class VerifyController(Controller):
    """One page for every emailed confirmation link: proposals and collaborators."""

    path = "/verify"

    @get("/{token:str}", name="intake.verify.show")
    async def show(self, request: AnyRequest, token: FromPath[str], db_session: DB) -> Template:
        check = await token_state(db_session, token)
        if check.state is TokenState.VALID:
            return render(request, "intake/verify/confirm.html", token=token, kind=check.kind)
        return _token_page(request, check)

    @post("/{token:str}", name="intake.verify.submit")
    async def verify(self, request: AnyRequest, token: FromPath[str], db_session: DB,
                     audit: Audit, ip: ClientIp) -> Template:
        check = await verify_email(db_session, audit, token, ip=ip)
        if check.state is TokenState.VALID:
            log(logger, logging.INFO, f"{check.kind} verified")
            return render(request, "intake/verify/done.html", ref=check.ref, kind=check.kind)
        return _token_page(request, check)
