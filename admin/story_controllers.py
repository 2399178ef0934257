"""Stories (情報発信) in the back office: list, write, photos, review, consent, publication.

Every route declares its permission; which step a story may take is publishing/workflow.py's
business, checked again in the service whatever the page showed. Editors never see contact
data here: warnings say only which kind of personal data was found where, and the
applicant's change requests are shown with contact values blacked out."""

from __future__ import annotations

import asyncio

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import story_pages as pages
from admin.auth import current_staff, staff_guard
from admin.permissions import Permission
from core.security import UPLOAD_MAX_BODY_BYTES, UPLOADS_OPT
from core.web import MAX_ID, AnyRequest, client_ip, form_fields, parse_id, settings_of
from intake.models import Proposal
from notifications.services import Mailer
from publishing import consent, services, workflow
from publishing.models import ALT_MAX, PHOTO_MAX_BYTES, Story, StoryPhoto
from publishing.personal_data import proposal_values, redact
from publishing.photos import PhotoError, clean_alt, process_photo
from publishing.services import StoryError
from publishing.validation import free_slug, suggest_slug, validate_story

DB = NamedDependency[AsyncSession]
READ = {"permission": Permission.STORY_READ}
WRITE = {"permission": Permission.STORY_WRITE}
APPROVE = {"permission": Permission.STORY_APPROVE}
PUBLISH = {"permission": Permission.STORY_PUBLISH}
UNPUBLISH = {"permission": Permission.STORY_UNPUBLISH}
UPLOAD = {**WRITE, UPLOADS_OPT: True}


def _ip(request: AnyRequest) -> str:
    return client_ip(request, settings_of(request).trusted_proxies)


def _mailer(request: AnyRequest) -> Mailer:
    return Mailer.for_settings(request.app.state.cipher, settings_of(request))


async def _story(db: AsyncSession, story_id: int, lock: bool = False) -> Story:
    story = None
    if 1 <= story_id <= MAX_ID:
        story = await (services.for_update(db, story_id) if lock else db.get(Story, story_id))
    if story is None:
        raise NotFoundException()
    return story


def _back(story: Story, anchor: str = "") -> Redirect:
    return Redirect(path=f"/admin/stories/{story.id}{anchor}", status_code=303)


async def _source(request: AnyRequest, db: AsyncSession) -> pages.Source:
    """The proposal (and project) a new story is about, from ?project=, ?proposal= or ?ref=
    (or the same names in the posted form)."""
    q = request.query_params
    form = await form_fields(request) if request.method == "POST" else {}
    project_id = parse_id(form.get("project_id") or q.get("project"))
    proposal_id = parse_id(form.get("proposal_id") or q.get("proposal"))
    ref = (q.get("ref") or "").strip().upper()[:20]
    if ref and not proposal_id:
        proposal_id = (await db.exec(select(Proposal.id).where(col(Proposal.ref) == ref))).first()
    proposal, project = await services.source_of(db, project_id=project_id,
                                                 proposal_id=proposal_id)
    return pages.Source(proposal, project)


class StoryController(Controller):
    path = "/admin/stories"
    guards = [staff_guard]  # noqa: RUF012

    @get("/", name="admin.stories.list", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB) -> Template:
        return await pages.list_page(request, db_session)

    @get("/new", name="admin.stories.new", opt=WRITE)
    async def new(self, request: AnyRequest, db_session: DB) -> Template:
        q = request.query_params
        if not any(q.get(name) for name in ("project", "proposal", "ref")):
            return pages.choose_page(request)
        try:
            source = await _source(request, db_session)
        except StoryError as exc:
            return pages.choose_page(request, exc.code, 404)
        proposal = source.proposal
        # A story is written to be public: its suggested title (and the address made from
        # it) never carries contact data or the applicant's name, whoever writes it.
        title = redact(proposal.catchphrase,
                       proposal_values(request.app.state.cipher, proposal, "applicant"))
        values = {"title": title, "summary": "", "body": "",
                  "slug": await free_slug(db_session, suggest_slug(title, proposal.ref)),
                  "category": proposal.category, "ward": proposal.ward or ""}
        return pages.form_page(request, values, source=source)

    @post("/", name="admin.stories.create", opt=WRITE)
    async def create(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        try:
            source = await _source(request, db_session)
        except StoryError as exc:
            return pages.choose_page(request, exc.code, 400)
        form = await form_fields(request)
        if not form.get("slug", "").strip():
            form["slug"] = await free_slug(
                db_session, suggest_slug(form.get("title", ""), source.proposal.ref))
        if form.get("action") == "preview":
            return pages.form_page(request, form, source=source, preview=True)
        data, errors, values = await validate_story(db_session, form)
        if data is None:
            return pages.form_page(request, values, source=source, errors=errors, status=422)
        story = await services.create_story(db_session, request.app.state.audit,
                                            source.proposal, source.project, data,
                                            current_staff(request), _ip(request))
        return _back(story)

    @get("/{story_id:int}", name="admin.stories.detail", opt=READ)
    async def detail(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                     ) -> Template:
        return await pages.detail_page(request, db_session, await _story(db_session, story_id))

    @get("/{story_id:int}/edit", name="admin.stories.edit", opt=WRITE)
    async def edit(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                   ) -> Template:
        story = await _story(db_session, story_id)
        values = {"title": story.title, "slug": story.slug, "summary": story.summary,
                  "body": story.body_md, "category": story.category, "ward": story.ward or "",
                  "version": str(story.version)}
        return pages.form_page(request, values, story=story)

    @post("/{story_id:int}/edit", name="admin.stories.save", opt=WRITE)
    async def save(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                   ) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        form = await form_fields(request)
        if form.get("action") == "preview":
            return pages.form_page(request, form, story=story, preview=True)
        if form.get("version") != str(story.version):
            # Someone saved (or approval moved on) since this form was opened.
            return pages.form_page(request, {**form, "version": str(story.version)},
                                   story=story, error="story_stale", status=409)
        data, errors, values = await validate_story(db_session, form, exclude_id=story.id)
        if data is None:
            return pages.form_page(request, {**values, "version": str(story.version)},
                                   story=story, errors=errors, status=422)
        try:
            await services.edit_story(db_session, request.app.state.audit, story, data,
                                      current_staff(request), _ip(request))
        except StoryError as exc:
            return await pages.detail_page(request, db_session, story, 400, exc.code)
        return _back(story)

    @post("/{story_id:int}/photos", name="admin.stories.photo_add", opt=UPLOAD,
          request_max_body_size=UPLOAD_MAX_BODY_BYTES)
    async def add_photo(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                        ) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        form = await request.form()
        upload, alt = form.get("photo"), clean_alt(str(form.get("alt") or ""))
        try:
            if not isinstance(upload, UploadFile):
                raise PhotoError("photo_required")
            if not alt or len(alt) > ALT_MAX:
                raise PhotoError("photo_alt_required" if not alt else "photo_alt_too_long")
            data = await upload.read(PHOTO_MAX_BYTES + 1)
            photo = await asyncio.to_thread(process_photo, data)
            await services.add_photo(db_session, request.app.state.audit, story, photo, alt,
                                     current_staff(request), _ip(request))
        except (PhotoError, StoryError) as exc:
            return await pages.detail_page(request, db_session, story, 422, exc.code,
                                           alt=alt[:ALT_MAX])
        return _back(story, "#photos")

    @get("/{story_id:int}/photos/{photo_id:int}", name="admin.stories.photo", opt=READ)
    async def photo(self, story_id: FromPath[int], photo_id: FromPath[int], db_session: DB
                    ) -> Response[bytes]:
        row = await db_session.get(StoryPhoto, photo_id) if 1 <= photo_id <= MAX_ID else None
        if row is None or row.story_id != story_id:
            raise NotFoundException()
        return Response(content=row.data, media_type=row.mime)

    @post("/{story_id:int}/photos/{photo_id:int}/move", name="admin.stories.photo_move",
          opt=WRITE)
    async def move_photo(self, request: AnyRequest, story_id: FromPath[int],
                         photo_id: FromPath[int], db_session: DB) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        up = (await form_fields(request)).get("direction") == "up"
        try:
            await services.move_photo(db_session, request.app.state.audit, story, photo_id,
                                      up, current_staff(request), _ip(request))
        except StoryError as exc:
            return await pages.detail_page(request, db_session, story, 400, exc.code)
        return _back(story, "#photos")

    @post("/{story_id:int}/photos/{photo_id:int}/delete", name="admin.stories.photo_delete",
          opt=WRITE)
    async def delete_photo(self, request: AnyRequest, story_id: FromPath[int],
                           photo_id: FromPath[int], db_session: DB) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        try:
            await services.delete_photo(db_session, request.app.state.audit, story, photo_id,
                                        current_staff(request), _ip(request))
        except StoryError as exc:
            return await pages.detail_page(request, db_session, story, 400, exc.code)
        return _back(story, "#photos")

    async def _step(self, request: AnyRequest, db: AsyncSession, story_id: int, step: str
                    ) -> Template | Redirect:
        story = await _story(db, story_id, lock=True)
        form = await form_fields(request)
        staff, audit = current_staff(request), request.app.state.audit
        if not workflow.can(step, story.status, consented=story.consented_at is not None):
            return await pages.detail_page(request, db, story, 400, "story_step_invalid")
        if form.get("version") != str(story.version):
            # Approving (or publishing) what one has not seen would defeat the review.
            return await pages.detail_page(request, db, story, 409, "story_changed_meanwhile")
        try:
            if step in pages.CHECKED_STEPS and form.get("confirm_warnings") != "yes":
                photos = await services.photos_of(db, story.id or 0)
                if await services.warnings_for(db, request.app.state.cipher, story, photos):
                    raise StoryError("story_warnings_unconfirmed")
            if step == "request_consent":
                await consent.request_consent(db, audit, _mailer(request), story, staff,
                                              _ip(request))
            elif step == "publish":
                await consent.publish(db, audit, _mailer(request), story, staff, _ip(request))
            else:
                await services.staff_step(db, audit, story, step, staff, _ip(request),
                                          comment=form.get("comment", ""))
        except StoryError as exc:
            return await pages.detail_page(request, db, story, 400, exc.code,
                                           comment=form.get("comment", "")[:2000])
        return _back(story)

    @post("/{story_id:int}/submit", name="admin.stories.submit", opt=WRITE)
    async def submit(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                     ) -> Template | Redirect:
        return await self._step(request, db_session, story_id, "submit")

    @post("/{story_id:int}/approve", name="admin.stories.approve", opt=APPROVE)
    async def approve(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                      ) -> Template | Redirect:
        return await self._step(request, db_session, story_id, "approve")

    @post("/{story_id:int}/return", name="admin.stories.return", opt=APPROVE)
    async def send_back(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                        ) -> Template | Redirect:
        return await self._step(request, db_session, story_id, "return")

    @post("/{story_id:int}/request-consent", name="admin.stories.request_consent",
          opt=PUBLISH)
    async def request_consent(self, request: AnyRequest, story_id: FromPath[int],
                              db_session: DB) -> Template | Redirect:
        return await self._step(request, db_session, story_id, "request_consent")

    @post("/{story_id:int}/publish", name="admin.stories.publish", opt=PUBLISH)
    async def publish(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                      ) -> Template | Redirect:
        return await self._step(request, db_session, story_id, "publish")

    @post("/{story_id:int}/unpublish", name="admin.stories.unpublish", opt=UNPUBLISH)
    async def unpublish(self, request: AnyRequest, story_id: FromPath[int], db_session: DB
                        ) -> Template | Redirect:
        return await self._step(request, db_session, story_id, "unpublish")
