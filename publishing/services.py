"""Stories from draft to publication: writing, review, the applicant's consent, taking down.

Every step is an audit event on the story's proposal (so it shows on the proposal's
timeline) with a detail such as `story=12 draft -> in_review`: never text from people.
Each change bumps `version` and `updated_at` (public pages build their ETags from them).
Emails go to the applicant's address, decrypted only to queue them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import SYSTEM, Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.errors import DomainError
from core.redaction import Finding, Known, find
from intake.contact import collaborator_values, proposal_values
from intake.models import Collaborator, Proposal, ProposalStatus
from matching.models import Project, ProjectMember
from matching.projects import project_of
from publishing import workflow
from publishing.markdown import render_markdown
from publishing.models import Story, StoryPhoto, StoryStatus
from publishing.photos import MAX_PHOTOS, Processed
from publishing.validation import StoryInput

COMMENT_MAX = 2000
# A story tells of a case that came to something: not of spam, nor of someone who withdrew.
SOURCE_REFUSED = (ProposalStatus.UNVERIFIED, ProposalStatus.SPAM, ProposalStatus.WITHDRAWN,
                  ProposalStatus.DECLINED)
CONTENT_FIELDS = ("title", "slug", "summary", "body_md", "category", "ward")


def detail(story: Story, extra: str = "") -> str:
    return f"story={story.id}" + (f" {extra}" if extra else "")


async def record(db: AsyncSession, audit: AuditLog, action: str, story: Story, who: Actor,
                 extra: str, now: datetime) -> None:
    await audit.record(db, action, who, object_type="proposal", object_id=story.proposal_id,
                       detail=detail(story, extra), now=now)


def touch(db: AsyncSession, story: Story, now: datetime) -> None:
    story.version += 1
    story.updated_at = now
    db.add(story)


async def move(db: AsyncSession, audit: AuditLog, story: Story, step: str, who: Actor,
               now: datetime, action: str | None = None) -> str:
    """Change the status by `step` (already checked), record it, return the old status."""
    before, story.status = story.status, workflow.target_of(step)
    touch(db, story, now)
    await record(db, audit, action or f"story.{step}", story, who,
                 f"{before} -> {story.status}", now)
    return before


def _clear_consent(story: Story) -> None:
    story.approved_by_id = None
    story.consent_token_hash = None
    story.consented_at = None


async def source_of(
    db: AsyncSession, *, project_id: int | None = None, proposal_id: int | None = None
) -> tuple[Proposal, Project | None]:
    """The proposal (and its project, if it has one) a new story is about."""
    project = await db.get(Project, project_id) if project_id else None
    if project_id and project is None:
        raise DomainError("story_source_invalid")
    proposal_key = project.proposal_id if project else proposal_id
    proposal = await db.get(Proposal, proposal_key) if proposal_key else None
    if proposal is None or proposal.status in SOURCE_REFUSED:
        raise DomainError("story_source_invalid")
    return proposal, project or await project_of(db, proposal.id or 0)


async def create_story(db: AsyncSession, audit: AuditLog, proposal: Proposal,
                       project: Project | None, data: StoryInput, actor: Actor) -> Story:
    now = utcnow()
    story = Story(proposal_id=proposal.id or 0, project_id=project.id if project else None,
                  slug=data.slug, title=data.title, summary=data.summary, body_md=data.body_md,
                  body_html=render_markdown(data.body_md), category=data.category,
                  ward=data.ward, status=StoryStatus.DRAFT, author_id=actor.staff_id or 0,
                  created_at=now,
                  updated_at=now)
    db.add(story)
    await db.flush()
    await record(db, audit, "story.created", story, actor, "-> draft", now)
    return story


async def changed(db: AsyncSession, audit: AuditLog, story: Story, who: Actor, action: str,
                  extra: str, now: datetime) -> None:
    """A visible change: a story past review goes back to it (approval and consent were
    given to what it was before), and any open consent link stops working."""
    before = story.status
    story.status = workflow.after_edit(before)
    if story.status != before:
        _clear_consent(story)
        extra = f"{extra} {before} -> {story.status}".strip()
    touch(db, story, now)
    await record(db, audit, action, story, who, extra, now)


async def edit_story(db: AsyncSession, audit: AuditLog, story: Story, data: StoryInput,
                     actor: Actor) -> list[str]:
    """Save the form; returns the names of the fields that changed (nothing saved if none).
    The audit detail names the fields, never their content."""
    if not workflow.editable(story.status):
        raise DomainError("story_not_editable")
    changed_fields = [name for name in CONTENT_FIELDS
                      if getattr(story, name) != getattr(data, name)]
    if not changed_fields:
        return []
    for name in changed_fields:
        setattr(story, name, getattr(data, name))
    story.body_html = render_markdown(story.body_md)
    await changed(db, audit, story, actor, "story.edited",
                  "fields=" + ",".join(changed_fields), utcnow())
    return changed_fields


async def staff_step(db: AsyncSession, audit: AuditLog, story: Story, step: str,
                     actor: Actor, comment: str = "") -> None:
    """Submit, approve, return (with a comment) or unpublish."""
    if step not in ("submit", "approve", "return", "unpublish"):
        raise DomainError("story_step_invalid")
    if not workflow.can(step, story.status):
        raise DomainError("story_step_invalid")
    if step == "approve" and story.author_id == actor.staff_id:
        raise DomainError("story_self_approval")  # four eyes: the author cannot approve
    if step == "return":
        comment = comment.replace("\r\n", "\n").strip()
        if not comment:
            raise DomainError("story_comment_required")
        if len(comment) > COMMENT_MAX:
            raise DomainError("story_comment_too_long")
        story.change_request, story.change_request_by = comment, "reviewer"
    if step == "approve":
        story.approved_by_id = actor.staff_id
    await move(db, audit, story, step, actor, utcnow())


async def for_update(db: AsyncSession, story_id: int) -> Story | None:
    """The story, its row locked until the request commits (PostgreSQL; SQLite has one
    writer): two clicks on two steps cannot both pass the status check."""
    query = (select(Story).where(col(Story.id) == story_id).with_for_update()
             .execution_options(populate_existing=True))
    return (await db.exec(query)).first()


async def known_values(db: AsyncSession, cipher: FieldCipher, story: Story) -> list[Known]:
    """The applicant's contact values and those of the project's other members, as
    patterns (decrypted here, never returned as text)."""
    proposal = await db.get(Proposal, story.proposal_id)
    known = proposal_values(cipher, proposal, "applicant") if proposal else []
    if story.project_id:
        members = list((await db.exec(select(ProjectMember).where(
            col(ProjectMember.project_id) == story.project_id))).all())
        proposal_ids = [m.proposal_id for m in members
                        if m.proposal_id and m.proposal_id != story.proposal_id]
        collaborator_ids = [m.collaborator_id for m in members if m.collaborator_id]
        for other in (await db.exec(select(Proposal).where(
                col(Proposal.id).in_(proposal_ids)))).all():
            known += proposal_values(cipher, other, "member")
        for helper in (await db.exec(select(Collaborator).where(
                col(Collaborator.id).in_(collaborator_ids)))).all():
            known += collaborator_values(cipher, helper)
    return known


async def warnings_for(db: AsyncSession, cipher: FieldCipher, story: Story,
                       photos: list[StoryPhoto]) -> list[Finding]:
    texts = {"title": story.title, "slug": story.slug, "summary": story.summary,
             "body": story.body_md, "photos": "\n".join(p.alt for p in photos)}
    return find(texts, await known_values(db, cipher, story))


async def photos_of(db: AsyncSession, story_id: int) -> list[StoryPhoto]:
    query = (select(StoryPhoto).where(col(StoryPhoto.story_id) == story_id)
             .order_by(col(StoryPhoto.position), col(StoryPhoto.id)))
    return list((await db.exec(query)).all())


async def add_photo(db: AsyncSession, audit: AuditLog, story: Story, photo: Processed,
                    alt: str, actor: Actor) -> StoryPhoto:
    if not workflow.editable(story.status):
        raise DomainError("story_not_editable")
    count, last = (await db.exec(select(func.count(), func.max(StoryPhoto.position)).where(
        col(StoryPhoto.story_id) == story.id))).one()
    if count >= MAX_PHOTOS:
        raise DomainError("photo_too_many", "photo")
    now = utcnow()
    row = StoryPhoto(story_id=story.id or 0, position=(last or 0) + 1, alt=alt,
                     mime=photo.mime, width=photo.width, height=photo.height, data=photo.data,
                     created_at=now)
    db.add(row)
    await db.flush()
    await changed(db, audit, story, actor, "story.photo_added",
                  f"photo={row.id}", now)
    return row


async def move_photo(db: AsyncSession, audit: AuditLog, story: Story, photo_id: int,
                     up: bool, actor: Actor) -> None:
    """Swap a photo with its neighbour (positions are renumbered 1..n on the way)."""
    if not workflow.editable(story.status):
        raise DomainError("story_not_editable")
    photos = await photos_of(db, story.id or 0)
    index = next((i for i, p in enumerate(photos) if p.id == photo_id), None)
    if index is None:
        raise DomainError("photo_unknown")
    other = index - 1 if up else index + 1
    if not 0 <= other < len(photos):
        return
    photos[index], photos[other] = photos[other], photos[index]
    for position, photo in enumerate(photos, start=1):
        photo.position = position
        db.add(photo)
    await changed(db, audit, story, actor, "story.photos_reordered",
                  f"photo={photo_id}", utcnow())


async def delete_photo(db: AsyncSession, audit: AuditLog, story: Story, photo_id: int,
                       actor: Actor) -> None:
    if not workflow.editable(story.status):
        raise DomainError("story_not_editable")
    photo = await db.get(StoryPhoto, photo_id)
    if photo is None or photo.story_id != story.id:
        raise DomainError("photo_unknown")
    await db.delete(photo)
    await changed(db, audit, story, actor, "story.photo_removed",
                  f"photo={photo_id}", utcnow())


async def cancel_consent_requests(db: AsyncSession, audit: AuditLog, proposal: Proposal
                                  ) -> int:
    """A case that closes (any way) ends every consent request still open on its stories:
    the emailed link stops working and the story is approved again, to be asked anew if the
    case allows it. The published story's withdrawal link stays: that is the person's."""
    now = utcnow()
    stories = (await db.exec(select(Story).where(
        col(Story.proposal_id) == proposal.id,
        col(Story.status) == StoryStatus.CONSENT_REQUESTED))).all()
    for story in stories:
        story.consent_token_hash = None
        await move(db, audit, story, "cancel_consent", SYSTEM, now,
                   action="story.consent_request_cancelled")
    return len(stories)


async def unpublish_for_closed_case(db: AsyncSession, audit: AuditLog, proposal: Proposal) -> int:
    """A case withdrawn or marked as spam takes its published stories down at once (the
    applicant's consent belonged to a proposal that no longer stands)."""
    now = utcnow()
    taken = 0
    stories = await db.exec(
        select(Story).where(col(Story.proposal_id) == proposal.id,
                            col(Story.status) == StoryStatus.PUBLISHED)
    )
    for story in stories.all():
        await move(db, audit, story, "unpublish", SYSTEM, now,
                   action="story.unpublished")
        taken += 1
    return taken

