"""`ouen demo-data --showcase-only`: a living public site with fictional contact values that
never appear on public pages; running it twice changes nothing."""

from __future__ import annotations

import re

import httpx
from litestar import Litestar
from sqlmodel import select

from matching.models import Call
from publishing.demo import SHOWCASES, create_showcase
from publishing.models import Story


async def test_showcase_fills_the_public_site_once(client: httpx.AsyncClient, app: Litestar
                                                   ) -> None:
    for _ in range(2):
        async with app.state.sessions() as db, db.begin():
            await create_showcase(db, app.state.cipher, app.state.audit)
    async with app.state.sessions() as db:
        assert len((await db.exec(select(Story))).all()) == len(SHOWCASES)
        assert len((await db.exec(select(Call))).all()) == 1
    app.state.public.forget()
    listing = await client.get("/projects")
    assert all(case.title in listing.text for case in SHOWCASES)
    home = await client.get("/")
    figures = home.text.split("これまでの歩み")[1].split("</ul>")[0]
    # 3 projects; 3 applicants + 3 collaborators connected; 3 stories.
    assert [int(n) for n in re.findall(r"<strong>(\d+)</strong>", figures)] == [3, 6, 3]
    pages = [listing, home, await client.get("/calls")]
    for case in SHOWCASES:
        page = await client.get(f"/projects/{case.slug}")
        assert page.status_code == 200 and case.photo_alt in page.text
        pages.append(page)
    for page in pages:
        for fictional in ("example.jp", "0120000", "デモ応募者", "デモ協力者"):
            assert fictional not in page.text
