"""Public collaborator registration (協力者登録): input → confirmation (確認画面) → submit →
email verification (the shared /verify/{token} page)."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template

from core import i18n
from core.context import DB, Audit, Cipher, Config
from core.logs import log
from core.web import AnyRequest, form_fields, form_lists, language_of, parse_id, render
from intake import messages
from intake.collaborator_validation import (
    LIST_FIELDS,
    CollaboratorValidation,
    validate_collaborator,
)
from intake.collaborators import register_collaborator
from intake.submission import HONEYPOT, STARTED, Checks, Gate, provide_gate
from intake.vocabulary import AVAILABILITIES, CATEGORIES, OFFER_SUGGESTIONS, ORG_TYPES, WARDS

logger = logging.getLogger("ouen.intake")
SENT = "/collaborate/sent"


def collaborator_choices() -> dict[str, Any]:
    """The options of the collaborator form (also used by the staff pages)."""
    return {
        "categories": [(c, messages.CATEGORY_LABELS[c]) for c in CATEGORIES],
        "wards": [(w, messages.WARD_LABELS[w]) for w in WARDS],
        "org_types": [(t, messages.ORG_TYPE_LABELS[t]) for t in ORG_TYPES],
        "availabilities": [(a, messages.AVAILABILITY_LABELS[a]) for a in AVAILABILITIES],
        "offer_suggestions": [(o, messages.OFFER_LABELS[o]) for o in OFFER_SUGGESTIONS],
        "offer_labels": messages.OFFER_LABELS,
        "labels": messages.COLLABORATOR_LABELS,
    }


def error_messages(request: AnyRequest, errors: dict[str, str]) -> dict[str, str]:
    """Error codes as sentences in the page's language, naming each field."""
    _ = i18n.make_gettext(language_of(request))
    return {name: _(messages.ERRORS[code], field=_(messages.COLLABORATOR_LABELS[name]))
            for name, code in errors.items()}


def _form_page(
    request: AnyRequest, gate: Gate, result: CollaboratorValidation | None, status: int,
    notice: str | None = None, started: str | None = None, call: int | None = None,
) -> Template:
    values = result.values if result else {"capacity": "1", "call": str(call or "")}
    return render(
        request, "intake/collaborate/form.html", status=status, values=values,
        lists=result.lists if result else {}, notice=notice,
        errors=error_messages(request, result.errors) if result else {},
        started=started or gate.started_stamp(), honeypot=HONEYPOT, started_field=STARTED,
        **collaborator_choices(),
    )


def _confirm_page(
    request: AnyRequest, result: CollaboratorValidation, started: str, status: int = 200,
    notice: str | None = None,
) -> Template:
    return render(
        request, "intake/collaborate/confirm.html", status=status, values=result.values,
        lists=result.lists, data=result.data, started=started, started_field=STARTED,
        notice=notice, **collaborator_choices(),
    )


async def _validated(request: AnyRequest) -> tuple[dict[str, str], CollaboratorValidation]:
    form = await form_fields(request, validated=True)
    return form, validate_collaborator(form, await form_lists(request, *LIST_FIELDS,
                                                              validated=True))


class CollaborateController(Controller):
    path = "/collaborate"
    dependencies = {"gate": Provide(provide_gate, sync_to_thread=False)}  # noqa: RUF012

    @get("/", name="intake.collaborate.form")
    async def show_form(self, request: AnyRequest, gate: Checks) -> Template:
        # ?call=N: a public call for help (協力者募集) this registration answers.
        call = parse_id(request.query_params.get("call"))
        return _form_page(request, gate, None, 200, call=call)

    @post("/", name="intake.collaborate.confirm")
    async def confirm(self, request: AnyRequest, gate: Checks) -> Template:
        form, result = await _validated(request)
        started = form.get(STARTED, "")
        if result.errors or form.get("edit"):
            status = 422 if result.errors and not form.get("edit") else 200
            return _form_page(request, gate, result, status, started=started or None)
        return _confirm_page(request, result, started)

    @post("/submit", name="intake.collaborate.submit")
    async def submit(self, request: AnyRequest, db_session: DB, gate: Checks, cipher: Cipher,
                     audit: Audit, settings: Config) -> Template | Redirect:
        form, result = await _validated(request)
        if gate.looks_automated(form):
            return Redirect(path=SENT, status_code=303)
        if result.errors or result.data is None:
            return _form_page(request, gate, result, 422)
        notice = gate.open_too_long(form)
        if notice:
            return _form_page(request, gate, result, 422, notice=notice)
        if not await gate.address_within_limit("collaborate"):
            return render(request, "intake/collaborate/limited.html", status=429)
        refusal = await gate.captcha_refusal(form)
        if refusal:
            status, notice = refusal
            return _confirm_page(request, result, form.get(STARTED, ""), status, notice)
        email_bidx = await gate.email_within_limit("collaborate", result.data.email)
        if email_bidx is None:
            return render(request, "intake/collaborate/limited.html", status=429)
        if not await gate.claim_stamp(form):
            return Redirect(path=SENT, status_code=303)
        try:
            registered = await register_collaborator(
                db_session, cipher, audit, result.data, locale=language_of(request),
                base_url=settings.base_url, sender_domain=settings.sender_domain,
                email_bidx=email_bidx, ip=gate.ip,
            )
        except BaseException:
            await gate.release_stamp(form)
            raise
        log(logger, logging.INFO, "collaborator submitted",
            collaborator_id=registered.collaborator_id)
        return Redirect(path=SENT, status_code=303)

    @get("/sent", name="intake.collaborate.sent")
    async def sent(self, request: AnyRequest) -> Template:
        return render(request, "intake/collaborate/sent.html")
