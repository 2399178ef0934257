"""Liveness and readiness probes."""

from __future__ import annotations

import time

from litestar import MediaType, get
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.context import engine_of
from core.web import AnyRequest

# A real write, committed: it fails when the database cannot take one (unreachable, a full
# disk, a read-only file or replica), where a SELECT would still answer. alembic_version is
# the one table every ouen database has, with one row; the write changes nothing.
_PROBE = text("UPDATE alembic_version SET version_num = version_num")
PROBE_EVERY = 1.0  # seconds: load balancers may ask many times a second


@get("/healthz", media_type=MediaType.TEXT, name="health.live", sync_to_thread=False)
def healthz() -> str:
    """The process answers; no database involved."""
    return "ok"


@get("/readyz", media_type=MediaType.TEXT, name="health.ready")
async def readyz(request: AnyRequest) -> str:
    """The database takes a write (checked at most once a second per process)."""
    state = request.app.state
    checked, ready = state.get("readiness", (float("-inf"), False))
    if time.monotonic() - checked >= PROBE_EVERY:
        try:
            async with engine_of(state).begin() as conn:
                await conn.execute(_PROBE)
            ready = True
        except (SQLAlchemyError, OSError):
            ready = False
        state["readiness"] = (time.monotonic(), ready)
    if not ready:
        raise ServiceUnavailableException("database unavailable")
    return "ok"
