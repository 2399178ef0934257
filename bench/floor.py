"""The framework floor: a bare Litestar handler that parses the same urlencoded body and
inserts one row of the same size, on the same engine settings as ouen."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request, post
from litestar.response import Redirect
from sqlalchemy import text

from core.db import create_engine, is_sqlite

URL = os.environ["OUEN_DATABASE_URL"]


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    engine = create_engine(URL)
    ddl = (
        "CREATE TABLE IF NOT EXISTS floor_row (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"
        if is_sqlite(URL)
        else "CREATE TABLE IF NOT EXISTS floor_row (id SERIAL PRIMARY KEY, body TEXT NOT NULL)"
    )
    async with engine.begin() as conn:
        await conn.execute(text(ddl))
    app.state.engine = engine
    yield
    await engine.dispose()


@post("/apply/submit")
async def submit(request: Request[Any, Any, Any]) -> Redirect:
    form = await request.form()
    row = "|".join(str(v) for v in form.values())
    async with request.app.state.engine.begin() as conn:
        await conn.execute(text("INSERT INTO floor_row (body) VALUES (:b)"), {"b": row})
    return Redirect(path="/apply/sent", status_code=303)


app = Litestar(route_handlers=[submit], lifespan=[lifespan], openapi_config=None)
