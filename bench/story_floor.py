"""The floor for the story page: a bare Litestar handler that selects one story row by slug
and renders a Jinja template of the same size as ouen's story page (FLOOR_PAD pads it)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import jinja2
from litestar import Litestar, Request, Response, get
from sqlalchemy import text

from core.db import create_engine

URL = os.environ["OUEN_DATABASE_URL"]
PAD = "x" * int(os.environ.get("FLOOR_PAD", "0"))
TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta property="og:title" content="{{ title }}">
<meta property="og:description" content="{{ summary }}">
</head><body><main><article><h1>{{ title }}</h1><p>{{ summary }}</p>
<p>{{ category }} · {{ ward }}</p><div>{{ body | safe }}</div></article></main>
<!-- {{ pad }} --></body></html>"""
)


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    app.state.engine = create_engine(URL)
    yield
    await app.state.engine.dispose()


@get("/healthz")
async def healthz() -> str:
    return "ok"


@get("/projects/{slug:str}")
async def story(request: Request[Any, Any, Any], slug: str) -> Response[bytes]:
    async with request.app.state.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT title, summary, body_html, category, ward FROM story "
                    "WHERE slug = :s AND status = 'published'"
                ),
                {"s": slug},
            )
        ).first()
    if row is None:
        return Response(b"not found", status_code=404)
    html = TEMPLATE.render(title=row[0], summary=row[1], body=row[2], category=row[3],
                           ward=row[4], pad=PAD)
    return Response(html.encode(), media_type="text/html; charset=utf-8")


app = Litestar(route_handlers=[healthz, story], lifespan=[lifespan], openapi_config=None)
