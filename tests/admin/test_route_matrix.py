"""Every /admin route, for every role and for nobody, with real ids in the path: the guard's
answer follows the one role→permission table (admin/permissions.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar

from admin.models import RightsKind, RightsRequest
from admin.permissions import ROLES, Permission, allowed
from core.db import utcnow
from matching.models import Call, Match, MatchStatus, Project
from publishing.models import Story, StoryPhoto
from tests.admin.factories import admin_routes
from tests.conftest import csrf_of
from tests.factories import image_bytes, login, make_collaborator, make_proposal, make_staff

PARAM_RE = re.compile(r"\{(\w+):\w+\}")
PUBLIC = {"/admin/login", "/admin/login/totp", "/admin/mfa/setup", "/admin/logout"}


async def make_objects(app: Litestar, author_id: int, coordinator_id: int) -> dict[str, int]:
    """One of everything a path can name: {path parameter: id of a row that exists}."""
    proposal = await make_proposal(app, status="matched")
    collaborator = await make_collaborator(app)
    target, _ = await make_staff(app, "editor", email="target@city.example.jp")
    assert proposal.id and collaborator.id and target.id
    now = utcnow()
    async with app.state.sessions() as db, db.begin():
        match = Match(proposal_id=proposal.id, collaborator_id=collaborator.id,
                      coordinator_id=coordinator_id, status=MatchStatus.PROPOSED, asked_at=now,
                      proposed_at=now)
        project = Project(proposal_id=proposal.id, created_by_id=coordinator_id, created_at=now)
        db.add_all([match, project])
        await db.flush()
        assert project.id
        call = Call(project_id=project.id, title="配達ボランティア募集", needed="土曜の午前",
                    category="elderly", ward="nada", opened_at=now)
        story = Story(proposal_id=proposal.id, project_id=project.id, slug="matrix-story",
                      title="八百屋さんと子ども食堂", summary="野菜を届けています。",
                      body_md="本文", body_html="<p>本文</p>", category="elderly",
                      ward="nada", author_id=author_id, created_at=now, updated_at=now)
        db.add_all([call, story])
        await db.flush()
        assert story.id
        photo = StoryPhoto(story_id=story.id, alt="野菜", mime="image/jpeg", width=120,
                           height=80, data=image_bytes(size=(120, 80)), created_at=now)
        db.add(photo)
        rights = RightsRequest(kind=RightsKind.DISCLOSURE, subject_type="proposal",
                               subject_id=proposal.id, subject_ref=proposal.ref,
                               channel="phone", identity_check="registered_phone",
                               received_on=now.date(), due_on=now.date(),
                               created_by_id=coordinator_id, created_at=now)
        db.add(rights)
        await db.flush()
        assert match.id and call.id and photo.id and rights.id
        return {"request_id": rights.id, "proposal_id": proposal.id,
                "collaborator_id": collaborator.id,
                "match_id": match.id, "project_id": project.id, "call_id": call.id,
                "story_id": story.id, "photo_id": photo.id, "user_id": target.id}


@asynccontextmanager
async def role_clients(client: httpx.AsyncClient, app: Litestar
                       ) -> AsyncIterator[tuple[dict[str, httpx.AsyncClient], dict[str, int]]]:
    """A signed-in client per role (None: nobody) and the objects the paths name."""
    clients: dict[str, httpx.AsyncClient] = {}
    ids: dict[str, int] = {}
    try:
        for role in ROLES:
            user, _ = await make_staff(app, role)
            assert user.id is not None
            ids[role] = user.id
            c = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
            clients[role] = c
            if role == "admin":  # admins need a second factor; give this one a full session
                async with app.state.sessions() as db, db.begin():
                    token = await app.state.session_store.create(db, user.id, "full")
                c.cookies.set("ouen_staff", token, path="/admin")
            else:
                assert (await login(c, user.email)).status_code == 303
        clients["anonymous"] = httpx.AsyncClient(transport=client._transport,
                                                 base_url=str(client.base_url))
        yield clients, await make_objects(app, ids["editor"], ids["coordinator"])
    finally:
        for c in clients.values():
            await c.aclose()


def concrete(path: str, ids: dict[str, int]) -> str:
    def substitute(found: re.Match[str]) -> str:
        name = found.group(1)
        assert name in ids, f"{path}: make_objects() has no row for {{{name}}}"
        return str(ids[name])

    return PARAM_RE.sub(substitute, path)


def walk_order(route: tuple[str, str, Any]) -> tuple[bool, bool, str, str]:
    """Pages before forms (a POST may delete the photo a GET would show); logout last."""
    method, path, _handler = route
    return path == "/admin/logout", method == "POST", path, method


def check(who: str, method: str, path: str, permission: Any, response: httpx.Response) -> None:
    where = f"{who} {method} {path} -> {response.status_code}"
    assert response.status_code < 500, where
    location = response.headers.get("location", "")
    if path in PUBLIC:
        assert response.status_code != 403, where
    elif who == "anonymous":
        assert response.status_code == 303 and location == "/admin/login", where
    elif allowed(who, permission):
        assert response.status_code not in (401, 403, 404), where
        assert location not in ("/admin/login", "/admin/password"), where
        if method == "GET":  # the row exists and the page is theirs to see
            assert response.status_code == 200, where
    else:
        assert response.status_code == 403, where


async def test_role_route_matrix(client: httpx.AsyncClient, app: Litestar) -> None:
    routes = sorted(admin_routes(app), key=walk_order)
    assert {path for _m, path, h in routes if h.opt.get("public")} == PUBLIC
    assert sum("{" in path for _m, path, _h in routes) >= 30  # the ones with ids are walked too
    async with role_clients(client, app) as (clients, ids):
        tokens = {who: csrf_of((await c.get("/admin/login")).text) for who, c in clients.items()}
        walked = 0
        for method, path, handler in routes:
            permission = handler.opt.get("permission")
            if path not in PUBLIC:
                assert isinstance(permission, Permission), f"{method} {path}: no permission"
            url = concrete(path, ids)
            for who, c in clients.items():
                data = {"_csrf_token": tokens[who]} if method == "POST" else None
                check(who, method, path, permission, await c.request(method, url, data=data))
                walked += 1
        assert walked == len(routes) * (len(ROLES) + 1)
