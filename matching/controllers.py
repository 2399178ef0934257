"""Public answer pages for introductions: the link in an email opens a page that only
shows what is asked; the answer is a POST (mail scanners that follow links change nothing).
The token is in the path, which is never logged (logs carry the route template)."""

from __future__ import annotations

import logging

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from core.context import DB, Audit, Cipher, ClientIp, Config
from core.crypto import FieldCipher
from core.errors import DomainError
from core.logs import log
from core.web import MAX_ID, AnyRequest, form_fields, language_of, parse_id, render
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from matching import introductions as intro
from matching import projects
from matching.models import Call
from matching.summaries import collaborator_summary, proposal_summary
from notifications.services import Mailer

logger = logging.getLogger("ouen.matching")
Mail = NamedDependency[Mailer]


def provide_mailer(cipher: Cipher, settings: Config) -> Mailer:
    """Queues email with links back to the site (OUEN_BASE_URL)."""
    return Mailer.for_settings(cipher, settings)




def _gone(request: AnyRequest) -> Template:
    return render(request, "matching/introductions/gone.html", status=410)


def _answer_page(
    request: AnyRequest, cipher: FieldCipher, pending: intro.Pending, token: str,
    status: int = 200,
) -> Template:
    lang = language_of(request)
    return render(
        request, "matching/introductions/answer.html", status=status, token=token,
        side=pending.side, proposal=proposal_summary(pending.proposal, lang, cipher),
        collaborator=collaborator_summary(pending.collaborator, lang, cipher),
    )


class IntroductionController(Controller):
    path = "/introductions"
    dependencies = {"mailer": Provide(provide_mailer, sync_to_thread=False)}  # noqa: RUF012

    @get("/{token:str}", name="matching.introduction.show")
    async def show(self, request: AnyRequest, token: FromPath[str], db_session: DB,
                   cipher: Cipher) -> Template:
        pending = await intro.find(db_session, token)
        if pending is None:
            return _gone(request)
        return _answer_page(request, cipher, pending, token)

    @post("/{token:str}", name="matching.introduction.answer")
    async def answer(self, request: AnyRequest, token: FromPath[str], db_session: DB,
                     cipher: Cipher, audit: Audit, mailer: Mail, ip: ClientIp) -> Template:
        form = await form_fields(request)
        decision = form.get("decision", "")
        pending = await intro.find(db_session, token)
        if pending is None:
            return _gone(request)
        if decision not in ("accept", "decline"):
            return _answer_page(request, cipher, pending, token, status=400)
        try:
            status = await intro.answer(db_session, audit, mailer, pending,
                                        decision == "accept", ip=ip)
        except DomainError:
            return _gone(request)
        log(logger, logging.INFO, "introduction answered", side=pending.side, status=status)
        return render(
            request, "matching/introductions/done.html", side=pending.side, outcome=status
        )


class CallController(Controller):
    """Public calls for help (協力者募集): staff-written text only, nothing personal."""

    path = "/calls"

    @get("/", name="matching.calls.list")
    async def index(self, request: AnyRequest, db_session: DB) -> Template:
        q = request.query_params
        category = q.get("category", "") if q.get("category", "") in CATEGORY_LABELS else ""
        ward = q.get("ward", "") if q.get("ward", "") in WARD_LABELS else ""
        calls, more = await projects.open_calls(
            db_session, category=category, ward=ward, before=parse_id(q.get("before", ""))
        )
        return render(
            request, "matching/calls/list.html", calls=calls, more=more, category=category,
            ward=ward, categories=list(CATEGORY_LABELS.items()),
            wards=list(WARD_LABELS.items()), category_labels=CATEGORY_LABELS,
            ward_labels=WARD_LABELS,
        )

    @get("/{call_id:int}", name="matching.calls.detail")
    async def detail(self, request: AnyRequest, call_id: FromPath[int], db_session: DB
                     ) -> Template:
        call = await db_session.get(Call, call_id) if 1 <= call_id <= MAX_ID else None
        if call is None:
            raise NotFoundException()
        return render(request, "matching/calls/detail.html", call=call,
                      category_labels=CATEGORY_LABELS, ward_labels=WARD_LABELS)
