"""Crawl every public URL after seeding proposals, collaborators, introductions, projects,
calls and stories with known contact values: none of those values, nor any staff name or
address, may appear anywhere on the public site."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx
from litestar import Litestar

from core.db import utcnow
from matching.models import Call, Match, MatchStatus, MemberKind, Project, ProjectMember
from tests.factories import (
    APPLICANT_NAME,
    EMAIL,
    HELPER_EMAIL,
    HELPER_NAME,
    HELPER_PHONE,
    PHONE,
    add_photo,
    make_helper,
    make_proposal,
    make_staff,
    make_story,
)

CONTACT_PHONE = "078-555-0100"
LINK = re.compile(r'(?:href|src)="([^"]+)"')
START = ("/", "/apply", "/collaborate", "/calls", "/projects", "/projects/feed.atom", "/privacy",
         "/?lang=en", "/projects?lang=en")


def variants(phone: str) -> set[str]:
    digits = re.sub(r"\D", "", phone)
    return {digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", digits[-4:] + "@"}


async def test_no_contact_value_or_staff_name_appears_on_any_public_page(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    editor, _ = await make_staff(app, "editor", email="hanako.editor@city.example.jp")
    coordinator, _ = await make_staff(app, "coordinator", email="jiro.coord@city.example.jp")
    proposal = await make_proposal(app, ref="OU-CRAWL-00001", status="active",
                                   org_name="NPO法人こうべ子ども食堂ネット")
    helper = await make_helper(app)
    now = utcnow()
    async with app.state.sessions() as db, db.begin():
        db.add(Match(proposal_id=proposal.id or 0, collaborator_id=helper.id or 0,
                     coordinator_id=coordinator.id or 0, status=MatchStatus.INTRODUCED,
                     asked_at=now,
                     proposed_at=now, closed_at=now))
        project = Project(proposal_id=proposal.id or 0, created_by_id=coordinator.id or 0,
                          created_at=now)
        db.add(project)
        await db.flush()
        db.add(ProjectMember(project_id=project.id or 0, kind=MemberKind.COLLABORATOR,
                             collaborator_id=helper.id, added_at=now))
        db.add(Call(project_id=project.id or 0, title="配達のお手伝い募集",
                    needed="土曜の午前にお弁当を届けてくださる方。", category="elderly",
                    ward="nada", opened_at=now))
    story = await make_story(app, "crawl-story", proposal=proposal, author=editor,
                             project_id=project.id, category="elderly", ward="nada")
    await add_photo(app, story)
    await make_story(app, "crawl-draft", proposal=proposal, author=editor, status="draft",
                     published_at=None)

    secrets = {EMAIL, APPLICANT_NAME, HELPER_EMAIL, HELPER_NAME, editor.display_name,
               editor.email, coordinator.display_name, coordinator.email,
               *variants(PHONE), *variants(HELPER_PHONE)}
    seen: set[str] = set()
    queue = list(START)
    pages = 0
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = await client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        pages += 1
        body = response.content.decode("utf-8", errors="replace")
        for secret in secrets:
            assert secret not in body, f"{secret!r} on {path}"
            assert secret not in response.headers.get("location", "")
        if "html" not in response.headers.get("content-type", "") and "xml" not in (
            response.headers.get("content-type", "")
        ):
            continue
        if "text/html" in response.headers["content-type"]:
            # The 問い合わせ先 block and the way to one's own data, on every public page.
            assert CONTACT_PHONE in body and 'href="/my"' in body, path
        for link in LINK.findall(body):
            target = urljoin(path, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "ouen.test":
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local.startswith(("/admin", "/static")) or local in seen:
                continue
            queue.append(local)
    assert "/projects/crawl-story" in seen and any(p.startswith("/calls/") for p in seen)
    assert any("/photos/" in p for p in seen)
    assert "/projects/crawl-draft" not in seen
    assert pages >= 15
