"""Every route, public and staff, on both databases: a control character in any form field or
query parameter is one clear 422 page (PostgreSQL refuses NUL in text, which was a 500), an
integer path parameter no row can have is a 404, and nothing is written on a refusal."""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import func, select, table

from tests.conftest import csrf_of
from tests.factories import make_collaborator, make_proposal, make_staff

FIELDS = (
    "email", "password", "current", "new", "repeat", "code", "q", "ref", "nickname", "phone",
    "body", "catchphrase", "text", "reason", "summary", "comment", "title", "needed", "alt",
    "intro", "offer", "display_name", "organisation", "slug", "proposal_ref",
    "collaborator_ref", "outcome", "channel", "to", "decision", "role", "assignee", "action",
    "confirm", "received_on", "identity_check", "kind",
)
CONTENT = ("proposal", "collaborator", "case_note", "contact_entry", "proposal_transition",
           "story", "help_call", "project", "project_member", "introduction",
           "rights_request", "outbox_message", "staff_user", "record_key")
NO_FIELDS = {"/admin/projects/from-proposal/{proposal_id:int}"}  # a button: the path is all
PARAM = re.compile(r"\{(\w+):int\}")
STRING_PARAM = re.compile(r"\{(\w+):str\}")


def routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods & {"GET", "POST"}):
                if route.path.startswith("/static") or route.path == "/admin/logout":
                    continue
                found.append((method, route.path))
    return found


def concrete(path: str, number: int) -> str:
    return STRING_PARAM.sub("x" * 43, PARAM.sub(str(number), path))


async def rows(app: Litestar) -> dict[str, int]:
    async with app.state.engine.connect() as conn:
        return {name: int((await conn.execute(select(func.count()).select_from(table(name))))
                          .scalar_one()) for name in CONTENT}


async def admin_client(client: httpx.AsyncClient, app: Litestar) -> httpx.AsyncClient:
    user, _ = await make_staff(app, "admin", email="admin.hostile@city.example.jp")
    async with app.state.sessions() as db, db.begin():
        token = await app.state.session_store.create(db, user.id, "full")
    staff = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    staff.cookies.set("ouen_staff", token, path="/admin")
    return staff


async def test_control_characters_and_impossible_ids_everywhere(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_proposal(app, ref="OU-HOST-00001", status="seeking")
    await make_collaborator(app, ref="CO-HOST-00001")
    staff = await admin_client(client, app)
    try:
        all_routes = routes(app)
        assert len(all_routes) > 80
        before = await rows(app)
        checked: dict[str, Any] = {"post": 0, "get": 0, "ids": 0}
        for who in (client, staff):
            csrf = csrf_of((await who.get("/admin/login")).text)
            for method, path in all_routes:
                url = concrete(path, 1)
                if method == "GET":
                    answer = await who.get(url, params={"q": "a\x00b", "action": "x\x01"})
                    assert answer.status_code in (422, 303), (url, answer.status_code)
                    assert answer.status_code == 303 or "制御文字" in answer.text, url
                    checked["get"] += 1
                else:
                    answer = await who.post(url, data={
                        "_csrf_token": csrf, **{name: "a\x00b" for name in FIELDS}})
                    assert answer.status_code < 500, (url, answer.status_code)
                    now = await rows(app)
                    # Nothing written on a refusal; only a button that sends no field acts.
                    assert now == before or path in NO_FIELDS, (url, answer.status_code)
                    before = now
                    checked["post"] += 1
                if PARAM.search(path):
                    huge = concrete(path, 2**31)
                    sent = (await who.get(huge) if method == "GET" else
                            await who.post(huge, data={"_csrf_token": csrf}))
                    assert sent.status_code in (404, 303), (huge, sent.status_code)
                    checked["ids"] += 1
        assert checked["post"] > 60 and checked["get"] > 60 and checked["ids"] > 40
    finally:
        await staff.aclose()


async def test_the_reported_cases_are_422_pages_in_the_visitors_language(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    page = await client.get("/admin/login")
    login = await client.post("/admin/login", data={
        "_csrf_token": csrf_of(page.text), "email": "a\x00b@x.y", "password": "p\x00"})
    assert login.status_code == 422 and "制御文字" in login.text
    english = await client.get("/admin/login?lang=en")
    refused = await client.post("/admin/login", data={
        "_csrf_token": csrf_of(english.text), "email": "a@x.y", "password": "pass\x00word"})
    assert refused.status_code == 422 and "control characters" in refused.text
    assert (await client.get("/projects/some-story/photos/2147483648")).status_code == 404
    assert (await client.get("/projects?category=%00")).status_code == 422
