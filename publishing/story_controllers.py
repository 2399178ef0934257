"""Stories (情報発信) in the back office: list, write, photos, review, consent, publication.

Every route declares its permission; which step a story may take is publishing/workflow.py's
business, checked again in the service whatever the page showed. Editors never see contact
data here: warnings say only which kind of personal data was found where, and the
applicant's change requests are shown with contact values blacked out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import StaffActor, StaffController
from admin.permissions import Permission
from core.audit import Actor, AuditLog
from core.context import DB, Audit, Cipher
from core.crypto import FieldCipher
from core.errors import DomainError
from core.redaction import redact
from core.security import UPLOAD_MAX_BODY_BYTES, UPLOADS_OPT
from core.web import MAX_ID, AnyRequest, form_fields, parse_id
from intake.contact import proposal_values
from intake.models import Proposal
from matching.controllers import Mail, provide_mailer
from notifications.services import Mailer
from publishing import consent, services, story_pages, workflow
from publishing.models import ALT_MAX, PHOTO_MAX_BYTES, Story, StoryPhoto
from publishing.photos import clean_alt, process_photo
from publishing.validation import free_slug, suggest_slug, validate_story

Pages = NamedDependency[story_pages.StoryPages]
READ = {"permission": Permission.STORY_READ}
WRITE = {"permission": Permission.STORY_WRITE}
APPROVE = {"permission": Permission.STORY_APPROVE}
PUBLISH = {"permission": Permission.STORY_PUBLISH}
UNPUBLISH = {"permission": Permission.STORY_UNPUBLISH}
UPLOAD = {**WRITE, UPLOADS_OPT: True}


async def _story(db: AsyncSession, story_id: int, lock: bool = False) -> Story:
    story = None
    if 1 <= story_id <= MAX_ID:
        story = await (services.for_update(db, story_id) if lock else db.get(Story, story_id))
    if story is None:
        raise NotFoundException()
    return story


def _back(story: Story, anchor: str = "") -> Redirect:
    return Redirect(path=f"/admin/stories/{story.id}{anchor}", status_code=303)


async def _source(request: AnyRequest, db: AsyncSession) -> story_pages.Source:
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
    return story_pages.Source(proposal, project)


@dataclass
class Step:
    """One workflow step on a story, with what it needs to be taken."""

    name: str
    db: AsyncSession
    audit: AuditLog
    mailer: Mailer
    cipher: FieldCipher
    actor: Actor
    pages: story_pages.StoryPages

    async def take(self, story: Story, form: dict[str, str]) -> None:
        db, audit, actor = self.db, self.audit, self.actor
        if self.name in story_pages.CHECKED_STEPS and form.get("confirm_warnings") != "yes":
            photos = await services.photos_of(db, story.id or 0)
            if await services.warnings_for(db, self.cipher, story, photos):
                raise DomainError("story_warnings_unconfirmed", "confirm_warnings")
        if self.name == "request_consent":
            await consent.request_consent(db, audit, self.mailer, story, actor)
        elif self.name == "publish":
            await consent.publish(db, audit, self.mailer, story, actor)
        else:
            await services.staff_step(db, audit, story, self.name, actor,
                                      comment=form.get("comment", ""))


@dataclass
class StepFactory:
    db: AsyncSession
    audit: AuditLog
    mailer: Mailer
    cipher: FieldCipher
    actor: Actor
    pages: story_pages.StoryPages

    def named(self, name: str) -> Step:
        return Step(name, self.db, self.audit, self.mailer, self.cipher, self.actor, self.pages)


def provide_steps(db_session: DB, audit: Audit, mailer: Mail, cipher: Cipher,
                  actor: StaffActor, pages: Pages) -> StepFactory:
    return StepFactory(db_session, audit, mailer, cipher, actor, pages)


Steps = NamedDependency[StepFactory]


class StoryController(StaffController):
    path = "/admin/stories"
    dependencies = {  # noqa: RUF012
        **StaffController.dependencies,
        "pages": Provide(story_pages.provide_story_pages, sync_to_thread=False),
        "mailer": Provide(provide_mailer, sync_to_thread=False),
        "steps": Provide(provide_steps, sync_to_thread=False),
    }

    @get("/", name="admin.stories.list", opt=READ)
    async def index(self, pages: Pages) -> Template:
        return await pages.listing()

    @get("/new", name="admin.stories.new", opt=WRITE)
    async def new(self, request: AnyRequest, db_session: DB, pages: Pages, cipher: Cipher
                  ) -> Template:
        q = request.query_params
        if not any(q.get(name) for name in ("project", "proposal", "ref")):
            return pages.choose()
        try:
            source = await _source(request, db_session)
        except DomainError as exc:
            return pages.choose(exc.code, 404)
        proposal = source.proposal
        # A story is written to be public: its suggested title (and the address made from
        # it) never carries contact data or the applicant's name, whoever writes it.
        title = redact(proposal.catchphrase, proposal_values(cipher, proposal, "applicant"))
        values = {"title": title, "summary": "", "body": "",
                  "slug": await free_slug(db_session, suggest_slug(title, proposal.ref)),
                  "category": proposal.category, "ward": proposal.ward or ""}
        return pages.form(values, source=source)

    @post("/", name="admin.stories.create", opt=WRITE)
    async def create(self, request: AnyRequest, db_session: DB, pages: Pages, audit: Audit,
                     actor: StaffActor) -> Template | Redirect:
        try:
            source = await _source(request, db_session)
        except DomainError as exc:
            return pages.choose(exc.code, 400)
        form = await form_fields(request)
        if not form.get("slug", "").strip():
            form["slug"] = await free_slug(
                db_session, suggest_slug(form.get("title", ""), source.proposal.ref))
        if form.get("action") == "preview":
            return pages.form(form, source=source, preview=True)
        data, errors, values = await validate_story(db_session, form)
        if data is None:
            return pages.form(values, source=source, errors=errors, status=422)
        story = await services.create_story(db_session, audit, source.proposal, source.project,
                                            data, actor)
        return _back(story)

    @get("/{story_id:int}", name="admin.stories.detail", opt=READ)
    async def detail(self, story_id: FromPath[int], db_session: DB, pages: Pages) -> Template:
        return await pages.detail(await _story(db_session, story_id))

    @get("/{story_id:int}/edit", name="admin.stories.edit", opt=WRITE)
    async def edit(self, story_id: FromPath[int], db_session: DB, pages: Pages) -> Template:
        story = await _story(db_session, story_id)
        values = {"title": story.title, "slug": story.slug, "summary": story.summary,
                  "body": story.body_md, "category": story.category, "ward": story.ward or "",
                  "version": str(story.version)}
        return pages.form(values, story=story)

    @post("/{story_id:int}/edit", name="admin.stories.save", opt=WRITE)
    async def save(self, request: AnyRequest, story_id: FromPath[int], db_session: DB,
                   pages: Pages, audit: Audit, actor: StaffActor) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        form = await form_fields(request)
        if form.get("action") == "preview":
            return pages.form(form, story=story, preview=True)
        if form.get("version") != str(story.version):
            # Someone saved (or approval moved on) since this form was opened.
            return pages.form({**form, "version": str(story.version)}, story=story,
                              error="story_stale", status=409)
        data, errors, values = await validate_story(db_session, form, exclude_id=story.id)
        if data is None:
            return pages.form({**values, "version": str(story.version)}, story=story,
                              errors=errors, status=422)
        try:
            await services.edit_story(db_session, audit, story, data, actor)
        except DomainError as exc:
            return await pages.detail(story, 400, exc.code)
        return _back(story)

    @post("/{story_id:int}/photos", name="admin.stories.photo_add", opt=UPLOAD,
          request_max_body_size=UPLOAD_MAX_BODY_BYTES)
    async def add_photo(self, request: AnyRequest, story_id: FromPath[int], db_session: DB,
                        pages: Pages, audit: Audit, actor: StaffActor) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        form = await request.form()
        upload, alt = form.get("photo"), clean_alt(str(form.get("alt") or ""))
        try:
            if not isinstance(upload, UploadFile):
                raise DomainError("photo_required", "photo")
            if not alt or len(alt) > ALT_MAX:
                raise DomainError("photo_alt_required" if not alt else "photo_alt_too_long",
                                  "alt")
            data = await upload.read(PHOTO_MAX_BYTES + 1)
            photo = await asyncio.to_thread(process_photo, data)
            await services.add_photo(db_session, audit, story, photo, alt, actor)
        except DomainError as exc:
            return await pages.detail(story, 422, exc.code, alt=alt[:ALT_MAX])
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
                         photo_id: FromPath[int], db_session: DB, pages: Pages, audit: Audit,
                         actor: StaffActor) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        up = (await form_fields(request)).get("direction") == "up"
        try:
            await services.move_photo(db_session, audit, story, photo_id, up, actor)
        except DomainError as exc:
            return await pages.detail(story, 400, exc.code)
        return _back(story, "#photos")

    @post("/{story_id:int}/photos/{photo_id:int}/delete", name="admin.stories.photo_delete",
          opt=WRITE)
    async def delete_photo(self, story_id: FromPath[int], photo_id: FromPath[int],
                           db_session: DB, pages: Pages, audit: Audit, actor: StaffActor
                           ) -> Template | Redirect:
        story = await _story(db_session, story_id, lock=True)
        try:
            await services.delete_photo(db_session, audit, story, photo_id, actor)
        except DomainError as exc:
            return await pages.detail(story, 400, exc.code)
        return _back(story, "#photos")

    async def _step(self, request: AnyRequest, step: Step, story_id: int) -> Template | Redirect:
        story = await _story(step.db, story_id, lock=True)
        form = await form_fields(request)
        if not workflow.can(step.name, story.status, consented=story.consented_at is not None):
            return await step.pages.detail(story, 400, "story_step_invalid")
        if form.get("version") != str(story.version):
            # Approving (or publishing) what one has not seen would defeat the review.
            return await step.pages.detail(story, 409, "story_changed_meanwhile")
        try:
            await step.take(story, form)
        except DomainError as exc:
            return await step.pages.detail(story, 400, exc.code,
                                           comment=form.get("comment", "")[:2000])
        return _back(story)

    @post("/{story_id:int}/submit", name="admin.stories.submit", opt=WRITE)
    async def submit(self, request: AnyRequest, story_id: FromPath[int], steps: Steps
                     ) -> Template | Redirect:
        return await self._step(request, steps.named("submit"), story_id)

    @post("/{story_id:int}/approve", name="admin.stories.approve", opt=APPROVE)
    async def approve(self, request: AnyRequest, story_id: FromPath[int], steps: Steps
                      ) -> Template | Redirect:
        return await self._step(request, steps.named("approve"), story_id)

    @post("/{story_id:int}/return", name="admin.stories.return", opt=APPROVE)
    async def send_back(self, request: AnyRequest, story_id: FromPath[int], steps: Steps
                        ) -> Template | Redirect:
        return await self._step(request, steps.named("return"), story_id)

    @post("/{story_id:int}/request-consent", name="admin.stories.request_consent",
          opt=PUBLISH)
    async def request_consent(self, request: AnyRequest, story_id: FromPath[int],
                              steps: Steps) -> Template | Redirect:
        return await self._step(request, steps.named("request_consent"), story_id)

    @post("/{story_id:int}/publish", name="admin.stories.publish", opt=PUBLISH)
    async def publish(self, request: AnyRequest, story_id: FromPath[int], steps: Steps
                      ) -> Template | Redirect:
        return await self._step(request, steps.named("publish"), story_id)

    @post("/{story_id:int}/unpublish", name="admin.stories.unpublish", opt=UNPUBLISH)
    async def unpublish(self, request: AnyRequest, story_id: FromPath[int], steps: Steps
                        ) -> Template | Redirect:
        return await self._step(request, steps.named("unpublish"), story_id)
