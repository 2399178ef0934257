"""/my: the applicant's and the collaborator's own rights, without an account (see
intake/self_service.py). Every change is a POST; pages that show personal data are never
cached; the link's token is in the path, which is never logged (logs carry the route)."""

from __future__ import annotations

import json
import logging
from typing import Any

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from core import i18n
from core.audit import AuditLog
from core.context import DB, Audit, Cipher, ClientIp, Config, sessions_of
from core.crypto import FieldCipher
from core.errors import DomainError
from core.hooks import Unit
from core.logs import log
from core.settings import Settings
from core.web import AnyRequest, form_fields, form_lists, language_of, render
from intake import messages
from intake.collaborator_controllers import collaborator_choices, error_messages
from intake.collaborator_validation import LIST_FIELDS, validate_collaborator
from intake.collaborators import change_status, profile_values, update_profile
from intake.contact import contact_values
from intake.erasure import erase_collaborator, erase_proposal
from intake.events import WithdrawalRequested, withdrawal_requested
from intake.models import Collaborator, Proposal
from intake.self_service import (
    COOKIE,
    Person,
    correct_collaborator,
    correct_proposal,
    end_session,
    held,
    open_link,
    person_actor,
    request_links,
    session_person,
    start_session,
)
from intake.submission import HONEYPOT, STARTED, Checks, provide_gate
from intake.validation import valid_email, validate_proposal
from intake.vocabulary import CATEGORIES, WARDS
from notifications.services import Mailer

logger = logging.getLogger("ouen.intake")
HOME = "/my/data"


def _cookie(settings: Settings, token: str | None) -> Cookie:
    return Cookie(key=COOKIE, value=token or "", path="/my", httponly=True, samesite="strict",
                  secure=settings.production, max_age=None if token else 0)


async def _person(request: AnyRequest, db: AsyncSession) -> Person:
    person = await session_person(db, request.cookies.get(COOKIE, ""))
    if person is None:
        raise NotFoundException()
    return person


def _request_page(request: AnyRequest, started: str, values: dict[str, str] | None = None,
                  error: str | None = None, status: int = 200) -> Template:
    return render(request, "intake/my/request.html", status=status, values=values or {},
                  error=error, started=started, started_field=STARTED, honeypot=HONEYPOT)


async def _send_links(sessions: Any, cipher: FieldCipher, audit: AuditLog, mailer: Mailer,
                      email: str, ref: str, locale: str, ip: str) -> None:
    """After the answer has gone (so the answer takes as long whether or not they match)."""
    async with sessions() as db, db.begin():
        await request_links(db, cipher, audit, mailer, email, ref, locale=locale, ip=ip)


class SelfServiceController(Controller):
    path = "/my"
    dependencies = {"gate": Provide(provide_gate, sync_to_thread=False)}  # noqa: RUF012

    @get("/", name="intake.my.form")
    async def form(self, request: AnyRequest, gate: Checks) -> Template:
        return _request_page(request, gate.started_stamp())

    @post("/", name="intake.my.request")
    async def ask(self, request: AnyRequest, gate: Checks, cipher: Cipher, audit: Audit,
                  settings: Config, ip: ClientIp) -> Template | Redirect:
        form = await form_fields(request)
        email = form.get("email", "").strip()[:254]
        ref = form.get("ref", "").strip()[:20]
        _ = i18n.make_gettext(language_of(request))
        if not valid_email(email):
            return _request_page(request, form.get(STARTED, ""), {"email": email, "ref": ref},
                                 _(messages.ERRORS["email_invalid"]), 422)
        sent = Redirect(path="/my/sent", status_code=303)
        if gate.looks_automated(form) or not await gate.address_within_limit("my"):
            return sent  # bots and floods get the same answer, and nothing happens
        refusal = await gate.captcha_refusal(form)
        if refusal:
            return _request_page(request, form.get(STARTED, ""), {"email": email, "ref": ref},
                                 refusal[1], refusal[0])
        if await gate.email_within_limit("my", email) is None:
            return sent
        sent.background = BackgroundTask(
            _send_links, sessions_of(request.app.state), cipher, audit,
            Mailer.for_settings(cipher, settings), email, ref, language_of(request), ip)
        return sent

    @get("/sent", name="intake.my.sent")
    async def sent(self, request: AnyRequest) -> Template:
        return render(request, "intake/my/sent.html")

    @get("/{token:str}", name="intake.my.link")
    async def link(self, request: AnyRequest, token: FromPath[str], db_session: DB
                   ) -> Template:
        if token in ("data", "data.json") or await open_link(db_session, token) is None:
            return render(request, "intake/my/gone.html", status=410)
        return render(request, "intake/my/open.html", token=token)

    @post("/{token:str}", name="intake.my.open")
    async def open(self, request: AnyRequest, token: FromPath[str], db_session: DB,
                   audit: Audit, settings: Config, ip: ClientIp) -> Template | Redirect:
        link = await open_link(db_session, token, lock=True)
        session = await start_session(db_session, audit, link, ip) if link else None
        if session is None:
            return render(request, "intake/my/gone.html", status=410)
        return Redirect(path=HOME, status_code=303, cookies=[_cookie(settings, session)])


def _labels() -> dict[str, Any]:
    return {"category_labels": messages.CATEGORY_LABELS, "ward_labels": messages.WARD_LABELS,
            "proposal_status_labels": messages.PROPOSAL_STATUS_LABELS,
            "collaborator_status_labels": messages.COLLABORATOR_STATUS_WORDS,
            "field_labels": {**messages.LABELS, **messages.COLLABORATOR_LABELS}}


class MyDataController(Controller):
    """The pages of an open self-service session (the cookie `ouen_my`, path /my)."""

    path = "/my/data"

    async def _page(self, request: AnyRequest, db: AsyncSession, cipher: FieldCipher,
                    audit: AuditLog, template: str = "intake/my/data.html",
                    **extra: Any) -> Template:
        person = await _person(request, db)
        data = await held(db, cipher, audit, person)
        return render(request, template, person=person, data=data,
                      is_proposal=isinstance(person, Proposal), **_labels(), **extra)

    @get("/", name="intake.my.data")
    async def data(self, request: AnyRequest, db_session: DB, cipher: Cipher, audit: Audit
                   ) -> Template:
        done = messages.SELF_SERVICE_DONE.get(request.query_params.get("done", ""))
        _ = i18n.make_gettext(language_of(request))
        return await self._page(request, db_session, cipher, audit, done=_(done) if done else "")

    @get("/print", name="intake.my.print")
    async def printable(self, request: AnyRequest, db_session: DB, cipher: Cipher,
                        audit: Audit) -> Template:
        return await self._page(request, db_session, cipher, audit, "intake/my/print.html")

    @post("/download", name="intake.my.download")
    async def download(self, request: AnyRequest, db_session: DB, cipher: Cipher,
                       audit: Audit, ip: ClientIp) -> Response[bytes]:
        person = await _person(request, db_session)
        data = await held(db_session, cipher, audit, person)
        await audit.record(db_session, "self_service.downloaded", person_actor(person, ip),
                           object_type=person.__tablename__, object_id=person.id or "")
        body = json.dumps({"kind": data.kind, "record": data.record, "contact": data.contact,
                           **data.sections}, ensure_ascii=False, indent=2, default=str)
        return Response(body.encode(), status_code=200, media_type="application/json", headers={
            "content-disposition": f'attachment; filename="ouen-{person.ref}.json"',
            "cache-control": "no-store"})

    @get("/correct", name="intake.my.correct_form")
    async def correct_form(self, request: AnyRequest, db_session: DB, cipher: Cipher
                           ) -> Template:
        person = await _person(request, db_session)
        return _correct_page(request, person, _current_values(cipher, person), {}, {})

    @post("/correct", name="intake.my.correct")
    async def correct(self, request: AnyRequest, db_session: DB, cipher: Cipher, audit: Audit,
                      ip: ClientIp) -> Template | Redirect:
        person = await _person(request, db_session)
        form = await form_fields(request, validated=True)
        actor = person_actor(person, ip)
        if isinstance(person, Proposal):
            result = validate_proposal({**form, "category": person.category,
                                        "ward": person.ward or "", "consent": "yes"})
            if result.errors or result.data is None:
                return _correct_page(request, person, result.values,
                                     _proposal_errors(request, result.errors), {}, 422)
            await correct_proposal(db_session, cipher, audit, person, result.data, actor)
            return Redirect(path=f"{HOME}?done=corrected", status_code=303)
        lists = await form_lists(request, *LIST_FIELDS, validated=True)
        checked = validate_collaborator({**form, "consent": "yes"}, lists)
        if checked.errors or checked.data is None:
            return _correct_page(request, person, checked.values,
                                 error_messages(request, checked.errors), checked.lists, 422)
        await correct_collaborator(db_session, cipher, audit, person, {
            "display_name": checked.data.display_name, "email": checked.data.email,
            "phone": checked.data.phone}, actor)
        await update_profile(db_session, audit, person, checked.data, actor)
        return Redirect(path=f"{HOME}?done=corrected", status_code=303)

    @post("/withdraw", name="intake.my.withdraw")
    async def withdraw(self, request: AnyRequest, db_session: DB, audit: Audit, ip: ClientIp
                       ) -> Redirect:
        person = await _person(request, db_session)
        confirmed = (await form_fields(request)).get("confirm") == "yes"
        if not isinstance(person, Proposal) or not confirmed:
            return Redirect(path=f"{HOME}?done=unconfirmed", status_code=303)
        await withdrawal_requested.emit(Unit(db_session, audit),
                                        WithdrawalRequested(person, person_actor(person, ip)))
        return Redirect(path=f"{HOME}?done=withdrawn", status_code=303)

    @post("/status", name="intake.my.status")
    async def status(self, request: AnyRequest, db_session: DB, audit: Audit, ip: ClientIp
                     ) -> Redirect:
        person = await _person(request, db_session)
        action = (await form_fields(request)).get("action", "")
        if isinstance(person, Collaborator) and action in ("pause", "retire", "reactivate"):
            try:
                await change_status(db_session, audit, person, action, person_actor(person, ip))
            except DomainError:
                return Redirect(path=f"{HOME}?done=unchanged", status_code=303)
        return Redirect(path=f"{HOME}?done={action or 'unchanged'}", status_code=303)

    @post("/erase", name="intake.my.erase")
    async def erase(self, request: AnyRequest, db_session: DB, cipher: Cipher, audit: Audit,
                    settings: Config, ip: ClientIp) -> Template | Redirect:
        person = await _person(request, db_session)
        if (await form_fields(request)).get("confirm") != "yes":
            return Redirect(path=f"{HOME}?done=unconfirmed", status_code=303)
        actor = person_actor(person, ip)
        if isinstance(person, Proposal):
            await erase_proposal(db_session, cipher, audit, person, actor, "own_request")
        else:
            await erase_collaborator(db_session, cipher, audit, person, actor, "own_request")
        await end_session(db_session, request.cookies.get(COOKIE, ""))
        log(logger, logging.INFO, "self-service erasure")
        page = render(request, "intake/my/erased.html", ref=person.ref)
        page.cookies.append(_cookie(settings, None))
        return page

    @post("/done", name="intake.my.done")
    async def done(self, request: AnyRequest, db_session: DB, settings: Config) -> Redirect:
        await end_session(db_session, request.cookies.get(COOKIE, ""))
        return Redirect(path="/", status_code=303, cookies=[_cookie(settings, None)])


def _current_values(cipher: FieldCipher, person: Person) -> dict[str, str]:
    contact = {k: v or "" for k, v in contact_values(cipher, person).items()}
    if isinstance(person, Proposal):
        return {**contact, "org_name": person.org_name or "", "catchphrase": person.catchphrase,
                "body": person.body}
    values, _lists = profile_values(person)
    return {**contact, **values}


def _proposal_errors(request: AnyRequest, errors: dict[str, str]) -> dict[str, str]:
    _ = i18n.make_gettext(language_of(request))
    return {name: _(messages.ERRORS[code], field=_(messages.LABELS[name]))
            for name, code in errors.items()}


def _correct_page(request: AnyRequest, person: Person, values: dict[str, str],
                  errors: dict[str, str], lists: dict[str, list[str]], status: int = 200
                  ) -> Template:
    if isinstance(person, Collaborator) and not lists:
        _values, lists = profile_values(person)
    return render(request, "intake/my/correct.html", status=status, person=person,
                  values=values, errors=errors, lists=lists,
                  is_proposal=isinstance(person, Proposal),
                  labels=messages.LABELS if isinstance(person, Proposal)
                  else messages.COLLABORATOR_LABELS,
                  categories=[(c, messages.CATEGORY_LABELS[c]) for c in CATEGORIES],
                  wards=[(w, messages.WARD_LABELS[w]) for w in WARDS],
                  collaborator=collaborator_choices())

