"""The applicant's pages behind the emailed links: the private preview with "I agree" and
"Please change something", and withdrawal of consent. A GET only shows; the POST behind a
button acts (mail scanners follow links). Tokens are in the path, which is never logged
(logs carry the route template); the pages are no-store (core/security.py) and noindex."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from core import i18n
from core.context import DB, Audit, ClientIp
from core.errors import DomainError
from core.logs import log
from core.web import MAX_ID, AnyRequest, form_fields, language_of, render
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from publishing import consent, services
from publishing.messages import MESSAGES
from publishing.models import Story, StoryPhoto
from publishing.services import COMMENT_MAX

logger = logging.getLogger("ouen.publishing")
NOINDEX = {"x-robots-tag": "noindex, nofollow"}


def _page(request: AnyRequest, template: str, status: int = 200, **context: Any) -> Template:
    page = render(request, f"publishing/consent/{template}", status=status, **context)
    page.headers.update(NOINDEX)
    return page


def _closed(request: AnyRequest, link: consent.Link) -> Template:
    """A friendly 410 for a link that was used, replaced, expired or never existed."""
    return _page(request, "expired.html" if link.state == "expired" else "gone.html", 410)


async def _preview(request: AnyRequest, db: AsyncSession, story: Story, token: str,
                   status: int = 200, error: str | None = None, comment: str = "") -> Template:
    _ = i18n.make_gettext(language_of(request))
    return _page(
        request, "show.html", status=status, story=story, token=token,
        photos=await services.photos_of(db, story.id or 0),
        photo_base=f"/stories/consent/{token}/photos", category_labels=CATEGORY_LABELS,
        ward_labels=WARD_LABELS, days=consent.CONSENT_VALID.days, comment=comment,
        comment_max=COMMENT_MAX, error=_(MESSAGES[error]) if error else None,
    )


class ConsentController(Controller):
    path = "/stories"

    @get("/consent/{token:str}", name="publishing.consent.show")
    async def show(self, request: AnyRequest, token: FromPath[str], db_session: DB
                   ) -> Template:
        link = await consent.consent_link(db_session, token)
        if link.state != "open" or link.story is None:
            return _closed(request, link)
        return await _preview(request, db_session, link.story, token)

    @post("/consent/{token:str}", name="publishing.consent.answer")
    async def answer(self, request: AnyRequest, token: FromPath[str], db_session: DB,
                     audit: Audit, ip: ClientIp) -> Template:
        form = await form_fields(request)
        link = await consent.consent_link(db_session, token, lock=True)
        if link.state != "open" or link.story is None:
            return _closed(request, link)
        decision, comment = form.get("decision", ""), form.get("comment", "")
        if decision not in ("agree", "change"):
            return await _preview(request, db_session, link.story, token, 400)
        try:
            await consent.answer_consent(db_session, audit, link.story, decision == "agree",
                                         comment, ip)
        except DomainError as exc:
            return await _preview(request, db_session, link.story, token, 422, exc.code,
                                  comment[:COMMENT_MAX])
        log(logger, logging.INFO, "story consent answered", decision=decision)
        return _page(request, "done.html", outcome=decision)

    @get("/consent/{token:str}/photos/{photo_id:int}", name="publishing.consent.photo")
    async def photo(self, token: FromPath[str], photo_id: FromPath[int], db_session: DB
                    ) -> Response[bytes]:
        link = await consent.consent_link(db_session, token)
        row = await db_session.get(StoryPhoto, photo_id) if 1 <= photo_id <= MAX_ID else None
        if link.state != "open" or link.story is None or row is None \
                or row.story_id != link.story.id:
            raise NotFoundException()
        return Response(content=row.data, media_type=row.mime, headers=NOINDEX)

    @get("/withdraw/{token:str}", name="publishing.withdraw.show")
    async def withdraw_page(self, request: AnyRequest, token: FromPath[str], db_session: DB
                            ) -> Template:
        link = await consent.withdraw_link(db_session, token)
        if link.story is None:
            return _closed(request, link)
        return _page(request, "withdraw.html", story=link.story, token=token)

    @post("/withdraw/{token:str}", name="publishing.withdraw.confirm")
    async def withdraw(self, request: AnyRequest, token: FromPath[str], db_session: DB,
                       audit: Audit, ip: ClientIp) -> Template:
        link = await consent.withdraw_link(db_session, token, lock=True)
        if link.story is None:
            return _closed(request, link)
        await consent.withdraw_consent(db_session, audit, link.story, ip)
        log(logger, logging.INFO, "story consent withdrawn")
        return _page(request, "withdrawn.html")
