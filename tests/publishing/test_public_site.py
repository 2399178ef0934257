"""The public projects site: published stories only, filters and pages, the story page with
its photos, Open Graph and hreflang, the Atom feed, and conditional GET (ETag, 304)."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import httpx
from litestar import Litestar
from sqlmodel import col, select

from core.db import utcnow
from publishing.models import Story
from tests.factories import add_photo, make_proposal, make_staff, make_story

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_projects_lists_published_stories_newest_first_with_filters_and_pages(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    author, _ = await make_staff(app, "editor", email="writer@city.example.jp")
    proposal = await make_proposal(app, ref="OU-LIST-000001")
    base = utcnow() - timedelta(days=30)
    for i in range(23):
        await make_story(app, f"story-{i:02d}", proposal=proposal, author=author,
                         published_at=base + timedelta(days=i),
                         category="elderly" if i % 2 else "children")
    await make_story(app, "draft-one", proposal=proposal, author=author, status="draft",
                     published_at=None)
    first = await client.get("/projects")
    assert first.status_code == 200
    assert first.text.index("story-22") < first.text.index("story-21")  # newest first
    assert "draft-one" not in first.text
    assert "story-02" not in first.text and 'page=2"' in first.text
    second = await client.get("/projects", params={"page": "2"})
    assert "story-02" in second.text and "story-22" not in second.text
    elderly = await client.get("/projects", params={"category": "elderly"})
    assert "story-21" in elderly.text and "story-22" not in elderly.text
    assert (await client.get("/projects", params={"page": "x", "ward": "<i>"})).status_code == 200
    home = await client.get("/")
    assert "story-22" in home.text and "23" in home.text  # latest stories and the figure


async def test_story_page_has_photos_open_graph_hreflang_and_unknown_is_404(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    story = await make_story(app, "kodomo-shokudo")
    photo = await add_photo(app, story)
    page = await client.get("/projects/kodomo-shokudo")
    assert page.status_code == 200
    html = page.text
    assert '<meta property="og:title" content="物語 kodomo-shokudo">' in html
    assert 'hreflang="en" href="https://ouen.test/projects/kodomo-shokudo?lang=en"' in html
    assert f'src="/projects/kodomo-shokudo/photos/{photo.id}" alt="配膳の様子"' in html
    assert "<p>本文です。</p>" in html
    image = await client.get(f"/projects/kodomo-shokudo/photos/{photo.id}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"
    assert (await client.get("/projects/nope")).status_code == 404
    assert (await client.get(f"/projects/other/photos/{photo.id}")).status_code == 404
    english = await client.get("/projects/kodomo-shokudo", params={"lang": "en"})
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert "物語 kodomo-shokudo" in english.text  # story text as written


async def test_conditional_get_answers_304_until_the_story_changes(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    story = await make_story(app, "etag-story")
    first = await client.get("/projects/etag-story")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = await client.get("/projects/etag-story", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = await client.get("/projects/etag-story", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    listing = await client.get("/projects")
    assert (await client.get("/projects", headers={"If-None-Match": listing.headers["etag"]})
            ).status_code == 304
    async with app.state.sessions() as db, db.begin():
        row = await db.get(Story, story.id)
        assert row is not None
        row.title, row.version, row.updated_at = "新しい題", row.version + 1, utcnow()
        db.add(row)
    app.state.public.forget()
    changed = await client.get("/projects/etag-story", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "新しい題" in changed.text
    assert changed.headers["etag"] != etag


async def test_an_unpublished_story_is_gone_at_once(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    story = await make_story(app, "withdrawn-story")
    photo = await add_photo(app, story)
    assert (await client.get("/projects/withdrawn-story")).status_code == 200
    async with app.state.sessions() as db, db.begin():
        row = await db.get(Story, story.id)
        assert row is not None
        row.status, row.version, row.updated_at = "unpublished", row.version + 1, utcnow()
        db.add(row)
    app.state.public.forget()
    assert (await client.get("/projects/withdrawn-story")).status_code == 404
    assert (await client.get(f"/projects/withdrawn-story/photos/{photo.id}")).status_code == 404
    assert "withdrawn-story" not in (await client.get("/projects")).text
    assert "withdrawn-story" not in (await client.get("/projects/feed.atom")).text


async def test_atom_feed_is_valid_and_escapes_text(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_story(app, "feed-a", title="A & B <c>", body_html="<p>x &amp; y</p>")
    await make_story(app, "feed-b")
    response = await client.get("/projects/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    entries = root.findall(f"{ATOM}entry")
    assert {e.findtext(f"{ATOM}title") for e in entries} == {"A & B <c>", "物語 feed-b"}
    link = entries[0].find(f"{ATOM}link")
    assert link is not None and link.get("href", "").startswith("https://ouen.test/projects/")


async def test_last_modified_never_moves_back_when_the_newest_story_is_taken_down(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    older = utcnow() - timedelta(days=3)
    await make_story(app, "older-story", published_at=older, updated_at=older)
    newest = await make_story(app, "newest-story")
    first = await client.get("/projects")
    modified = first.headers["last-modified"]
    async with app.state.sessions() as db, db.begin():
        row = await db.get(Story, newest.id)
        assert row is not None
        row.status, row.version, row.updated_at = "unpublished", row.version + 1, utcnow()
        db.add(row)
    app.state.public.forget()
    for path in ("/projects", "/projects/feed.atom"):
        again = await client.get(path, headers={"If-Modified-Since": modified})
        assert again.status_code == 200 and "newest-story" not in again.text, path


async def test_a_deleted_story_row_is_noticed_by_the_periodic_full_read(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    from sqlalchemy import delete

    story = await make_story(app, "purged-story")
    assert (await client.get("/projects/purged-story")).status_code == 200
    async with app.state.sessions() as db, db.begin():
        await db.exec(delete(Story).where(col(Story.id) == story.id))
    app.state.public.forget()
    app.state.public._full_at = float("-inf")  # as if a minute had passed
    assert (await client.get("/projects/purged-story")).status_code == 404


async def test_pages_that_set_cookies_are_private(client: httpx.AsyncClient) -> None:
    home = await client.get("/?lang=en")
    assert "set-cookie" in home.headers
    assert home.headers["cache-control"] == "private, no-cache"


async def test_a_case_withdrawn_or_marked_spam_takes_its_stories_down(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    from admin.cases import change_status

    proposal = await make_proposal(app, ref="OU-WDRAWN-0001", status="active")
    await make_story(app, "withdrawn-case-story", proposal=proposal)
    assert (await client.get("/projects/withdrawn-case-story")).status_code == 200
    async with app.state.sessions() as db, db.begin():
        case = await db.get(type(proposal), proposal.id)
        assert case is not None
        await change_status(db, app.state.audit, case, "withdrawn", "")
    app.state.public.forget()
    assert (await client.get("/projects/withdrawn-case-story")).status_code == 404
    async with app.state.sessions() as db:
        story = (await db.exec(select(Story).where(Story.slug == "withdrawn-case-story"))).one()
        assert story.status == "unpublished"


async def test_times_in_pages_and_feed_are_whole_seconds_with_a_zone(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """The W3C checker refuses microseconds in <time datetime>; Atom wants RFC 3339 times
    with their zone."""
    await make_story(app, "time-check", published_at=utcnow().replace(microsecond=123456))
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    for path in ("/projects", "/projects/time-check"):
        found = re.findall(r'<time datetime="([^"]+)"', (await client.get(path)).text)
        assert found and all(stamp.match(value) for value in found), (path, found)
    feed = (await client.get("/projects/feed.atom")).text
    times = re.findall(r"<(?:updated|published)>([^<]+)<", feed)
    assert times and all(stamp.match(value) for value in times), times


async def test_a_story_published_a_moment_ago_has_its_page_at_once(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """The table of published stories is refreshed about once a second; a story it does not
    know yet (published on another instance, or just now) makes the request catch up, so
    the list and the page never disagree."""
    assert (await client.get("/projects")).status_code == 200  # the table is fresh now
    await make_story(app, "just-published")
    # As if published on another instance: this one looked at the database a moment ago.
    app.state.public.checked = time.monotonic()
    listing = (await client.get("/projects?lang=en&p=1")).text
    page = await client.get("/projects/just-published")
    assert page.status_code == 200, "listed but not found" if "just-published" in listing else ""
    assert (await client.get("/projects/never-published")).status_code == 404
