"""What the public site reads: published stories, open calls, live figures — and the cache
that makes published pages cheap to serve.

Caching: each process keeps a small table of published stories (slug → id, version,
updated time) and re-reads only the stories changed since its last look, at most once a
second (`FRESHNESS`). Rendered pages are kept per (path, language) together with the
version they were rendered from; a request is answered from memory when the version still
matches, and with 304 when the client already has it (ETag / Last-Modified). So a story
that is unpublished — by an editor, or because the applicant withdrew consent — disappears
from every instance within about a second, and nothing is shown that the database no
longer publishes."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import utcnow
from matching.models import Call, CallStatus, Match, MatchStatus, Project, ProjectMember
from publishing.models import Story, StoryPhoto, StoryStatus

FRESHNESS = 1.0  # seconds
LOOKBACK = timedelta(seconds=30)
FULL_RESYNC = 60.0  # seconds
PAGE_SIZE = 20
CACHE_ENTRIES = 16_384  # ≈ 90 MB of story pages at 5.5 KB


@dataclass(frozen=True, slots=True)
class Published:
    id: int
    version: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CachedPage:
    key: str  # what the page was rendered from (story version or the site generation)
    body: bytes
    etag: str
    last_modified: datetime


class PublicCache:
    """One per process (app.state.public)."""

    def __init__(self) -> None:
        self.stories: dict[str, Published] = {}
        self._slug_of: dict[int, str] = {}
        self._calls_key = ""
        self._latest: datetime | None = None
        self._calls_changed_at: datetime | None = None
        self._full_at = float("-inf")
        self.generation = ""  # changes whenever any published story changes
        self.watermark: datetime | None = None
        self.checked = float("-inf")
        self._lock = asyncio.Lock()
        self._pages: OrderedDict[tuple[str, str], CachedPage] = OrderedDict()
        self._rendering: dict[tuple[str, str], asyncio.Lock] = {}

    def due(self) -> bool:
        return time.monotonic() - self.checked >= FRESHNESS

    async def refresh(self, db: AsyncSession, force: bool = False) -> None:
        """Catch up with the database, at most once per FRESHNESS — or now (`force`), unless
        another request caught up while this one waited for the lock."""
        asked = time.monotonic()
        if not force and not self.due():
            return
        async with self._lock:
            if (self.checked >= asked if force
                    else time.monotonic() - self.checked < FRESHNESS):
                return
            started = time.monotonic()
            query = sa_select(col(Story.slug), col(Story.id), col(Story.version),
                              col(Story.status), col(Story.updated_at))
            # Now and then read every row: that also notices rows deleted outright (purges)
            # and changes whose clock lagged more than LOOKBACK behind.
            full = started - self._full_at >= FULL_RESYNC or self.watermark is None
            if not full and self.watermark is not None:
                query = query.where(col(Story.updated_at) >= self.watermark - LOOKBACK)
            changed = False
            result = await (await db.connection()).execute(query)
            seen: set[int] = set()
            for slug, story_id, version, status, updated_at in result.all():
                sid = story_id or 0
                seen.add(sid)
                previous = self._slug_of.get(sid)
                published = status == StoryStatus.PUBLISHED
                entry = Published(sid, version, updated_at) if published else None
                if previous is not None and (entry is None or previous != slug):
                    self.stories.pop(previous, None)  # unpublished, or its address changed
                    del self._slug_of[sid]
                    changed = True
                if entry is not None and self.stories.get(slug) != entry:
                    self.stories[slug] = entry
                    self._slug_of[sid] = slug
                    changed = True
                if self.watermark is None or updated_at > self.watermark:
                    self.watermark = updated_at
            if full:
                for sid in set(self._slug_of) - seen:
                    self.stories.pop(self._slug_of.pop(sid), None)
                    changed = True
                self._full_at = started
            calls = await (await db.connection()).execute(
                sa_select(func.count(), func.max(col(Call.id)))
                .where(col(Call.status) == CallStatus.OPEN)
            )
            calls_key = ":".join(str(v) for v in calls.one())
            if calls_key != self._calls_key:
                if self._calls_key:
                    self._calls_changed_at = utcnow()
                self._calls_key = calls_key
                changed = True
            if changed or not self.generation:
                # Last-Modified of the list and feed only moves forward: the newest change
                # to any story row (a take-down included) or to the open calls.
                moments = [m for m in (self.watermark, self._calls_changed_at, self._latest)
                           if m is not None]
                latest = max(moments) if moments else None
                if (latest is not None and self._latest is not None and self.generation
                        and latest.replace(microsecond=0) <= self._latest.replace(microsecond=0)):
                    # HTTP dates count whole seconds: a change within the same second as
                    # the last one must still give a later Last-Modified.
                    latest = self._latest.replace(microsecond=0) + timedelta(seconds=1)
                self._latest = latest
                digest = hashlib.sha256(calls_key.encode())
                for slug in sorted(self.stories):
                    entry = self.stories[slug]
                    digest.update(f"{slug}:{entry.id}:{entry.version};".encode())
                self.generation = digest.hexdigest()[:16]
            self.checked = started

    def forget(self) -> None:
        """Look at the database on the next request (after a change made here)."""
        self.checked = float("-inf")

    async def page(
        self,
        path: str,
        lang: str,
        key: str,
        last_modified: datetime,
        render: Callable[[], Awaitable[str]],
    ) -> CachedPage:
        """The rendered page for (path, language), re-rendered when `key` changed."""
        cached = self._pages.get((path, lang))
        if cached is not None and cached.key == key:
            self._pages.move_to_end((path, lang))
            return cached
        # One render per page at a time: concurrent misses wait for it (no dogpile).
        lock = self._rendering.setdefault((path, lang), asyncio.Lock())
        async with lock:
            cached = self._pages.get((path, lang))
            if cached is not None and cached.key == key:
                return cached
            page = await self._render(path, lang, key, last_modified, render)
        self._rendering.pop((path, lang), None)
        return page

    async def _render(
        self,
        path: str,
        lang: str,
        key: str,
        last_modified: datetime,
        render: Callable[[], Awaitable[str]],
    ) -> CachedPage:
        body = (await render()).encode()
        etag = '"' + hashlib.sha256(key.encode() + b"|" + lang.encode() + b"|" + body).hexdigest()[
            :32
        ] + '"'
        page = CachedPage(key, body, etag, last_modified)
        self._pages[(path, lang)] = page
        if len(self._pages) > CACHE_ENTRIES:
            self._pages.popitem(last=False)
        return page

    def any_open_calls(self) -> bool:
        return not self._calls_key.startswith("0:")

    def last_change(self) -> datetime | None:
        return self._latest


async def published_page(
    db: AsyncSession, *, category: str = "", ward: str = "", page: int = 1
) -> tuple[list[Story], bool]:
    """Published stories, newest first, PAGE_SIZE at a time; True when more follow."""
    query = select(Story).where(col(Story.status) == StoryStatus.PUBLISHED)
    if category:
        query = query.where(col(Story.category) == category)
    if ward:
        query = query.where(col(Story.ward) == ward)
    query = (
        query.order_by(col(Story.published_at).desc(), col(Story.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    rows = list((await db.exec(query)).all())
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


async def story_by_slug(db: AsyncSession, slug: str) -> Story | None:
    story = (await db.exec(select(Story).where(col(Story.slug) == slug))).first()
    return story if story is not None and story.status == StoryStatus.PUBLISHED else None


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    id: int
    alt: str
    width: int
    height: int
    mime: str


async def photos_of(db: AsyncSession, story_id: int) -> list[PhotoInfo]:
    query = (
        sa_select(col(StoryPhoto.id), col(StoryPhoto.alt), col(StoryPhoto.width),
                  col(StoryPhoto.height), col(StoryPhoto.mime))
        .where(col(StoryPhoto.story_id) == story_id)
        .order_by(col(StoryPhoto.position), col(StoryPhoto.id))
    )
    rows = await (await db.connection()).execute(query)
    return [PhotoInfo(pid or 0, alt, w, h, mime) for pid, alt, w, h, mime in rows.all()]


async def related_calls(db: AsyncSession, story: Story, limit: int = 3) -> list[Call]:
    """Open calls of the story's project first, then of the same category."""
    calls: list[Call] = []
    if story.project_id:
        calls = list((await db.exec(
            select(Call).where(col(Call.project_id) == story.project_id,
                               col(Call.status) == CallStatus.OPEN).order_by(col(Call.id).desc())
            .limit(limit))).all())
    if len(calls) < limit:
        query = select(Call).where(col(Call.status) == CallStatus.OPEN,
                                   col(Call.category) == story.category)
        if calls:
            query = query.where(col(Call.id).not_in([c.id for c in calls]))
        more = (await db.exec(query.order_by(col(Call.id).desc()).limit(limit - len(calls))))
        calls += list(more.all())
    return calls


async def latest_calls(db: AsyncSession, limit: int = 5) -> list[Call]:
    rows = await db.exec(
        select(Call).where(col(Call.status) == CallStatus.OPEN)
        .order_by(col(Call.id).desc()).limit(limit)
    )
    return list(rows.all())


@dataclass(frozen=True, slots=True)
class Figures:
    projects: int
    organisations: int
    stories: int


async def figures(db: AsyncSession) -> Figures:
    """Projects born on the platform; organisations and people connected through them (the
    applicants in projects and the collaborators introduced by agreement); stories."""
    projects = (await db.exec(select(func.count()).select_from(Project))).one()
    collaborators = (await db.exec(
        select(func.count(func.distinct(Match.collaborator_id))).where(
            col(Match.status) == MatchStatus.INTRODUCED))).one()
    applicants = (await db.exec(
        select(func.count(func.distinct(ProjectMember.proposal_id))).where(
            col(ProjectMember.proposal_id).is_not(None)))).one()
    stories = (await db.exec(
        select(func.count()).select_from(Story)
        .where(col(Story.status) == StoryStatus.PUBLISHED))).one()
    return Figures(int(projects), int(collaborators) + int(applicants), int(stories))
