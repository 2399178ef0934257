"""The pages of the story back office, assembled for publishing/story_controllers.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar.response import Template
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import Staff
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from core import i18n
from core.context import DB, Cipher
from core.crypto import FieldCipher
from core.db import utcnow
from core.i18n import N_
from core.models import AuditEvent
from core.redaction import find, redact
from core.web import AnyRequest, language_of, parse_id, render
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Proposal
from matching.models import Project
from publishing import consent, services, workflow
from publishing import messages as pm
from publishing.markdown import render_markdown
from publishing.models import STORY_STATUSES, Story, StoryStatus

PAGE_SIZE = 50
CHECKED_STEPS = workflow.CHECKED


@dataclass(frozen=True)
class Source:
    """What a new story is about."""

    proposal: Proposal
    project: Project | None


@dataclass(frozen=True)
class StepButton:
    step: str
    permission: Permission
    label: str
    path: str
    comment: bool = False  # asks for a comment (what should change)


BUTTONS = (
    StepButton("submit", Permission.STORY_WRITE, N_("Submit for review"), "submit"),
    StepButton("approve", Permission.STORY_APPROVE, N_("Approve"), "approve"),
    StepButton("return", Permission.STORY_APPROVE, N_("Ask the editor for changes"), "return",
               comment=True),
    StepButton("request_consent", Permission.STORY_PUBLISH,
               N_("Ask the applicant for consent"), "request-consent"),
    StepButton("publish", Permission.STORY_PUBLISH, N_("Publish"), "publish"),
    StepButton("unpublish", Permission.STORY_UNPUBLISH, N_("Take down from the public site"),
               "unpublish"),
)

ACTION_LABELS = {
    "story.created": N_("Story created"),
    "story.edited": N_("Story edited"),
    "story.photo_added": N_("Photo added"),
    "story.photo_removed": N_("Photo removed"),
    "story.photos_reordered": N_("Photos reordered"),
    "story.submit": N_("Submitted for review"),
    "story.approve": N_("Approved"),
    "story.return": N_("Changes asked for by the reviewer"),
    "story.request_consent": N_("Applicant asked for consent"),
    "story.consented": N_("Applicant consented"),
    "story.changes_requested": N_("Applicant asked for changes"),
    "story.publish": N_("Put on the public site"),
    "story.unpublish": N_("Taken down"),
    "story.consent_withdrawn": N_("Applicant withdrew consent"),
    "story.consent_request_cancelled": N_("Consent request ended: the case was closed"),
    "story.unpublished": N_("Taken down: the case was closed"),
}


def _labels() -> dict[str, Any]:
    return {"status_labels": pm.STATUS_LABELS, "category_labels": CATEGORY_LABELS,
            "ward_labels": WARD_LABELS, "categories": list(CATEGORY_LABELS.items()),
            "wards": list(WARD_LABELS.items()), "field_labels": pm.FIELD_LABELS}


async def _history(db: AsyncSession, story: Story) -> list[tuple[AuditEvent, str]]:
    """The story's steps from the audit chain (events on its proposal that name it)."""
    mine = services.detail(story)
    rows = (await db.exec(select(AuditEvent).where(
        col(AuditEvent.object_type) == "proposal",
        col(AuditEvent.object_id) == str(story.proposal_id),
        or_(col(AuditEvent.detail) == mine, col(AuditEvent.detail).startswith(mine + " ")),
    ).order_by(col(AuditEvent.id).desc()))).all()
    ids = {int(e.actor.split(":")[1]) for e in rows if e.actor.startswith("staff:")}
    names = {u.id: u.display_name for u in (await db.exec(
        select(StaffUser).where(col(StaffUser.id).in_(ids)))).all()}
    history = []
    for event in rows:
        staff_id = int(event.actor.split(":")[1]) if event.actor.startswith("staff:") else None
        history.append((event, names.get(staff_id, "") if staff_id else event.actor))
    return history


def _consent_expiry(story: Story) -> datetime | None:
    asked = story.consent_requested_at
    waiting = story.status == StoryStatus.CONSENT_REQUESTED
    return asked + consent.CONSENT_VALID if asked and waiting else None


@dataclass
class StoryPages:
    """The story pages for one request: who reads them, in which language."""

    request: AnyRequest
    db: AsyncSession
    cipher: FieldCipher
    staff: StaffUser

    def _(self, message: str, **values: object) -> str:
        return i18n.make_gettext(language_of(self.request))(message, **values)

    def _error(self, code: str | None) -> str | None:
        return self._(pm.MESSAGES[code]) if code else None

    async def listing(self) -> Template:
        q = self.request.query_params
        status = q.get("status", "") if q.get("status", "") in STORY_STATUSES else ""
        query = select(Story, Proposal).join(Proposal, col(Proposal.id) == col(Story.proposal_id))
        if status:
            query = query.where(col(Story.status) == status)
        after = parse_id(q.get("after"))
        if after:
            query = query.where(col(Story.id) < after)
        rows = list((await self.db.exec(query.order_by(col(Story.id).desc())
                                        .limit(PAGE_SIZE + 1))).all())
        more = len(rows) > PAGE_SIZE
        return render(self.request, "admin/stories/list.html", staff=self.staff,
                      rows=rows[:PAGE_SIZE], status_filter=status,
                      next_after=rows[PAGE_SIZE - 1][0].id if more else None,
                      can_write=allowed(self.staff.role, Permission.STORY_WRITE), **_labels())

    def choose(self, error: str | None = None, status: int = 200) -> Template:
        return render(self.request, "admin/stories/new.html", status=status, staff=self.staff,
                      ref=self.request.query_params.get("ref", "")[:20], error=self._error(error))

    def form(self, values: dict[str, str], *, source: Source | None = None,
             story: Story | None = None, errors: dict[str, str] | None = None,
             error: str | None = None, preview: bool = False, status: int = 200) -> Template:
        """The story form, new or existing; with `preview`, the body rendered below it."""
        return render(
            self.request, "admin/stories/form.html", status=status, staff=self.staff,
            values=values, source=source, story=story,
            errors={k: self._(pm.MESSAGES[v]) for k, v in (errors or {}).items()},
            error=self._error(error),
            preview_html=render_markdown(values.get("body", "")) if preview else None,
            back_to_review=story is not None and story.status in workflow.BACK_TO_REVIEW,
            **_labels(),
        )

    def _buttons(self, story: Story) -> list[StepButton]:
        consented = story.consented_at is not None
        return [b for b in BUTTONS if allowed(self.staff.role, b.permission)
                and workflow.can(b.step, story.status, consented=consented)
                and not (b.step == "approve" and story.author_id == self.staff.id)]

    async def detail(self, story: Story, status: int = 200, error: str | None = None,
                     **refill: str) -> Template:
        staff, db = self.staff, self.db
        photos = await services.photos_of(db, story.id or 0)
        known = await services.known_values(db, self.cipher, story)
        texts = {"title": story.title, "slug": story.slug, "summary": story.summary,
                 "body": story.body_md, "photos": "\n".join(p.alt for p in photos)}
        people = {u.id: u.display_name for u in (await db.exec(select(StaffUser).where(
            col(StaffUser.id).in_([story.author_id, story.approved_by_id or 0])))).all()}
        expires = _consent_expiry(story)
        return render(
            self.request, "admin/stories/detail.html", status=status, staff=staff, story=story,
            proposal=await db.get(Proposal, story.proposal_id), photos=photos,
            photo_base=f"/admin/stories/{story.id}/photos",
            warnings=[pm.warning_text(f, self._) for f in find(texts, known)],
            buttons=self._buttons(story), checked_steps=CHECKED_STEPS,
            own_story=story.author_id == staff.id and workflow.can("approve", story.status)
            and allowed(staff.role, Permission.STORY_APPROVE),
            can_edit=allowed(staff.role, Permission.STORY_WRITE)
            and workflow.editable(story.status),
            change_request=redact(story.change_request, known) if story.change_request else "",
            author=people.get(story.author_id, ""),
            approver=people.get(story.approved_by_id or 0, ""), consent_expires=expires,
            consent_expired=expires is not None and expires < utcnow(),
            history=await _history(db, story), action_labels=ACTION_LABELS,
            error=self._error(error), refill=refill, **_labels(),
        )


def provide_story_pages(request: AnyRequest, db_session: DB, cipher: Cipher, staff: Staff
                        ) -> StoryPages:
    return StoryPages(request, db_session, cipher, staff)
