"""Public site pages: home, privacy policy, project stories, their photos and the feed.

Published pages are served from the per-process cache in publishing/public.py with an
ETag and Last-Modified; a conditional GET that still matches gets 304 without a body."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from core.context import DB, sessions_of, state_item
from core.retention import RULES
from core.web import AnyRequest, language_of, page_context, render, settings_of
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.services import POLICY_VERSION
from publishing import public
from publishing.models import StoryPhoto

HTML = "text/html"  # Litestar adds "; charset=utf-8" to text/* itself
# Browsers and proxies may keep published pages but must ask again each time (a 304 is
# cheap), so an unpublished story is gone at once.
CACHE_CONTROL = "public, no-cache"
FEED_SIZE = 20


def _cache(request: AnyRequest) -> public.PublicCache:
    return state_item(request.app.state, "public", public.PublicCache)


@contextlib.asynccontextmanager
async def _session(request: AnyRequest) -> AsyncIterator[AsyncSession]:
    """A read-only session opened only when a page must be read from the database (cached
    pages are answered without one)."""
    async with sessions_of(request.app.state)() as session:
        yield session


async def _fresh(request: AnyRequest) -> public.PublicCache:
    cache = _cache(request)
    if cache.due():
        async with _session(request) as db:
            await cache.refresh(db)
    return cache


async def _known(request: AnyRequest, cache: public.PublicCache, slug: str
                 ) -> public.Published | None:
    """The published story of `slug` as the table knows it, catching up with the database
    first if the table does not know it yet (just published, on another instance)."""
    known = cache.stories.get(slug)
    if known is None:
        async with _session(request) as db:
            await cache.refresh(db, force=True)
        known = cache.stories.get(slug)
    return known


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _not_modified(request: AnyRequest, page: public.CachedPage) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return page.etag in {tag.strip() for tag in match.split(",")} or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return page.last_modified.replace(microsecond=0) <= moment
    return False


def _respond(request: AnyRequest, page: public.CachedPage, media_type: str = HTML) -> Response[Any]:
    headers = {
        "etag": page.etag,
        "last-modified": _http_date(page.last_modified),
        "cache-control": CACHE_CONTROL,
        "vary": "Accept-Language, Cookie",
    }
    if _not_modified(request, page):
        return Response(content=b"", status_code=304, headers=headers, media_type=media_type)
    return Response(content=page.body, headers=headers, media_type=media_type)


def _render_text(request: AnyRequest, template: str, **context: Any) -> str:
    engine = request.app.template_engine
    assert engine is not None
    return str(engine.get_template(template).render({**page_context(request), **context}))


def _filters(request: AnyRequest) -> tuple[str, str, int]:
    q = request.query_params
    category = q.get("category", "") if q.get("category", "") in CATEGORY_LABELS else ""
    ward = q.get("ward", "") if q.get("ward", "") in WARD_LABELS else ""
    try:
        page = min(max(int(q.get("page", "1")), 1), 10_000)
    except ValueError:
        page = 1
    return category, ward, page


def _choices() -> dict[str, Any]:
    return {
        "categories": list(CATEGORY_LABELS.items()),
        "wards": list(WARD_LABELS.items()),
        "category_labels": CATEGORY_LABELS,
        "ward_labels": WARD_LABELS,
    }


def _cacheable(request: AnyRequest) -> bool:
    # ?lang= sets the language cookie: let the normal page path do that.
    return "lang" not in request.query_params


@get("/", name="public.home")
async def home(request: AnyRequest, db_session: DB) -> Template:
    await _cache(request).refresh(db_session)
    latest, _more = await public.published_page(db_session)
    return render(
        request,
        "publishing/home.html",
        categories=list(CATEGORY_LABELS.items()),
        figures=await public.figures(db_session),
        latest=latest[:3],
        category_labels=CATEGORY_LABELS,
        ward_labels=WARD_LABELS,
    )


@get("/privacy", name="public.privacy")
async def privacy(request: AnyRequest) -> Template:
    return render(request, "publishing/privacy.html", policy_version=POLICY_VERSION,
                  rules=RULES)


@get("/projects", name="public.projects")
async def projects(request: AnyRequest) -> Response[Any] | Template:
    cache = await _fresh(request)
    category, ward, page = _filters(request)

    async def context() -> dict[str, Any]:
        async with _session(request) as db:
            stories, more = await public.published_page(
                db, category=category, ward=ward, page=page
            )
            calls = await public.latest_calls(db) if page == 1 else []
        return {
            "stories": stories,
            "more": more,
            "page": page,
            "category": category,
            "ward": ward,
            "calls": calls,
            **_choices(),
        }

    if not _cacheable(request):
        return render(request, "publishing/projects/list.html", **(await context()))
    path = f"/projects?c={category}&w={ward}&p={page}"

    async def draw() -> str:
        return _render_text(request, "publishing/projects/list.html", **(await context()))

    changed = cache.last_change() or datetime(2026, 1, 1, tzinfo=UTC)
    cached = await cache.page(path, language_of(request), cache.generation, changed, draw)
    return _respond(request, cached)


@get("/projects/{slug:str}", name="public.story")
async def story(request: AnyRequest, slug: FromPath[str]) -> Response[Any] | Template:
    cache = await _fresh(request)
    known = await _known(request, cache, slug)
    if known is None:
        raise NotFoundException()

    async def context() -> dict[str, Any]:
        async with _session(request) as db:
            found = await public.story_by_slug(db, slug)
            if found is None:
                raise NotFoundException()
            photos = await public.photos_of(db, found.id or 0)
            calls = await public.related_calls(db, found) if cache.any_open_calls() else []
        return {
            "story": found,
            "photos": photos,
            "calls": calls,
            "canonical": f"{settings_of(request).public_base}/projects/{slug}",
            **_choices(),
        }

    if not _cacheable(request):
        return render(request, "publishing/projects/story.html", **(await context()))

    async def draw() -> str:
        return _render_text(request, "publishing/projects/story.html", **(await context()))

    key = f"{known.id}:{known.version}:{cache.generation}"
    cached = await cache.page(f"/projects/{slug}", language_of(request), key,
                              known.updated_at, draw)
    return _respond(request, cached)


@get("/projects/{slug:str}/photos/{photo_id:int}", name="public.story_photo")
async def photo(request: AnyRequest, slug: FromPath[str], photo_id: FromPath[int]
                ) -> Response[Any]:
    cache = await _fresh(request)
    known = await _known(request, cache, slug)
    if known is None or not 1 <= photo_id < 2**31:
        raise NotFoundException()
    async with _session(request) as db:
        row = await db.get(StoryPhoto, photo_id)
    if row is None or row.story_id != known.id:
        raise NotFoundException()
    etag = f'"photo-{row.id}-{row.created_at.timestamp():.0f}"'
    headers = {"etag": etag, "cache-control": CACHE_CONTROL,
               "last-modified": _http_date(row.created_at)}
    if request.headers.get("if-none-match") == etag:
        return Response(content=b"", status_code=304, headers=headers, media_type=row.mime)
    return Response(content=row.data, headers=headers, media_type=row.mime)


@get("/projects/feed.atom", name="public.feed")
async def feed(request: AnyRequest) -> Response[Any]:
    cache = await _fresh(request)
    lang = language_of(request)

    async def draw() -> str:
        async with _session(request) as db:
            stories, _more = await public.published_page(db)
        base = settings_of(request).public_base
        updated = cache.last_change() or datetime(2026, 1, 1, tzinfo=UTC)
        return _render_text(request, "publishing/projects/feed.xml", stories=stories[:FEED_SIZE],
                            base=base, updated=updated)

    changed = cache.last_change() or datetime(2026, 1, 1, tzinfo=UTC)
    cached = await cache.page("/projects/feed.atom", lang, cache.generation, changed, draw)
    return _respond(request, cached, media_type="application/atom+xml; charset=utf-8")
