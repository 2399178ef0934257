"""Builders for the back-office tests: second-factor codes, the audit trail as action names,
the /admin routes, and an admin signed in with TOTP."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
from litestar import Litestar
from sqlmodel import col, select

from core.db import utcnow
from core.models import AuditEvent
from tests.conftest import csrf_of
from tests.factories import login, make_staff


async def submit_code(client: httpx.AsyncClient, path: str, code: str,
                      extra: dict[str, str] | None = None) -> httpx.Response:
    page = await client.get(path)
    return await client.post(path, data={"code": code, "_csrf_token": csrf_of(page.text),
                                         **(extra or {})})


async def actions(app: Litestar) -> list[str]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
        return [e.action + (f"({e.detail})" if e.detail else "") for e in rows.all()]


def admin_routes(app: Litestar) -> list[tuple[str, str, Any]]:
    found = []
    for route in app.routes:
        if not route.path.startswith("/admin"):
            continue
        for handler in getattr(route, "route_handlers", []):
            # Litestar answers OPTIONS itself with the allowed methods; no data, no guard.
            for method in sorted(handler.http_methods - {"OPTIONS"}):
                found.append((method, route.path, handler))
    return found


async def admin_with_totp(client: httpx.AsyncClient, app: Litestar) -> pyotp.TOTP:
    """Signs an admin in with the previous time step's code, leaving the current one unused."""
    admin, secret = await make_staff(app, "admin", totp=True)
    assert secret
    await login(client, admin.email)
    totp = pyotp.TOTP(secret)
    await submit_code(client, "/admin/login/totp", totp.at(utcnow().timestamp() - 30))
    return totp
