"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.context import engine_of
from core.web import AnyRequest


@get("/healthz", media_type=MediaType.TEXT, name="health.live", sync_to_thread=False)
def healthz() -> str:
    """The process answers; no database involved."""
    return "ok"


@get("/readyz", media_type=MediaType.TEXT, name="health.ready")
async def readyz(request: AnyRequest) -> str:
    """The database answers."""
    try:
        async with engine_of(request.app.state).connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        raise ServiceUnavailableException("database unavailable") from exc
    return "ok"
