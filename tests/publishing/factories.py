"""Builders for the story workflow tests: staff clients per role, the story form and its
steps, the story audit trail, camera-like photos and the links in the applicant's emails."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from email.message import EmailMessage

import httpx
from litestar import Litestar
from PIL import Image
from sqlmodel import col, select

from admin.models import StaffUser
from core.models import AuditEvent
from publishing.models import Story
from tests.conftest import csrf_of
from tests.factories import image_bytes, login, make_staff

StaffClient = Callable[[str], Awaitable[tuple[httpx.AsyncClient, StaffUser]]]
CONSENT_RE = re.compile(r"https://ouen\.test/stories/consent/([A-Za-z0-9_\-]+)")
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
WITHDRAW_RE = re.compile(r"https://ouen\.test/stories/withdraw/([A-Za-z0-9_\-]+)")
STORY_BODY = (
    "## はじまり\n\n長田区の子ども食堂に、地域の八百屋さんが野菜を届けてくれるようになりました。"
    "\n\n- 毎週土曜日\n- 30食\n\n詳しくは[市のページ](https://www.city.kobe.lg.jp/)へ。"
)


@asynccontextmanager
async def staff_clients(client: httpx.AsyncClient, app: Litestar
                        ) -> AsyncIterator[StaffClient]:
    """`await make("editor")` → a signed-in client of its own and the account; several roles
    can act in one test. Admins get a full session directly (they would need TOTP)."""
    opened: list[httpx.AsyncClient] = []

    async def make(role: str, email: str | None = None) -> tuple[httpx.AsyncClient, StaffUser]:
        user, _ = await make_staff(app, role, email=email or f"{role}.story@city.example.jp")
        other = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
        opened.append(other)
        if role == "admin":
            async with app.state.sessions() as db, db.begin():
                token = await app.state.session_store.create(db, user.id or 0, "full")
            other.cookies.set("ouen_staff", token, path="/admin")
        else:
            assert (await login(other, user.email)).status_code == 303
        return other, user

    try:
        yield make
    finally:
        for other in opened:
            await other.aclose()


async def post_form(c: httpx.AsyncClient, page: str, action: str, data: dict[str, str] | None = None
                    ) -> httpx.Response:
    """GET `page` for its CSRF token, then POST `data` to `action`."""
    csrf = csrf_of((await c.get(page)).text)
    return await c.post(action, data={"_csrf_token": csrf, **(data or {})})


def story_form(**overrides: str) -> dict[str, str]:
    values = {"title": "八百屋さんと子ども食堂", "slug": "yaoya-kodomo-shokudo",
              "summary": "地域の八百屋さんが野菜を届けています。", "body": STORY_BODY,
              "category": "children", "ward": "nagata", "action": "save"}
    values.update(overrides)
    return values


async def create_story(c: httpx.AsyncClient, proposal_id: int, **overrides: str) -> int:
    page = f"/admin/stories/new?proposal={proposal_id}"
    response = await post_form(c, page, "/admin/stories",
                               {"proposal_id": str(proposal_id), **story_form(**overrides)})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def step(c: httpx.AsyncClient, story_id: int, path: str, **data: str) -> httpx.Response:
    """Press a step's button as the page shows it (with the version the page was drawn from);
    roles without the button send the form anyway, as a forged request would."""
    page = (await c.get(f"/admin/stories/{story_id}")).text
    version = VERSION_RE.search(page)
    fields = {"_csrf_token": csrf_of(page), **({"version": version.group(1)} if version else {})}
    return await c.post(f"/admin/stories/{story_id}/{path}", data={**fields, **data})


async def load(app: Litestar, story_id: int) -> Story:
    async with app.state.sessions() as db:
        story: Story | None = await db.get(Story, story_id)
        assert story is not None
        return story


async def story_events(app: Litestar) -> list[tuple[str, str, str, str]]:
    """(action, object_type, object_id, detail) of every story.* event, in order."""
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("story."))
                             .order_by(col(AuditEvent.id)))
        return [(e.action, e.object_type, e.object_id, e.detail) for e in rows.all()]


def text_of(message: EmailMessage) -> str:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()) + str(html.get_content())


def link_in(message: EmailMessage, pattern: re.Pattern[str]) -> str:
    found = pattern.search(text_of(message))
    assert found, "no link in the email"
    return found.group(1)


def jpeg_with_gps() -> bytes:
    """A camera-like JPEG: maker, model, date, a comment and GPS coordinates of Kobe."""
    exif = Image.Exif()
    exif[0x010F] = "ACME Camera Co"  # Make
    exif[0x0110] = "SecretModel X"  # Model
    exif[0x0132] = "2026:11:20 10:00:00"  # DateTime
    exif[0x0112] = 6  # Orientation: rotate 90° to be upright
    exif[0x8825] = {1: "N", 2: (34.0, 41.0, 25.0), 3: "E", 4: (135.0, 11.0, 43.0)}
    return image_bytes(size=(1200, 800), exif=exif.tobytes(), comment=b"taken at home")
