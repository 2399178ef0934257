"""Text no browser of ours sends, in the places where secrets are compared: a CSRF token,
a TOTP code, an audit MAC. Each is refused (or read as what it means), never a 500."""

from __future__ import annotations

import re

import httpx
import pyotp
from litestar import Litestar
from sqlalchemy import text

from admin.credentials import totp_step
from core.audit import SYSTEM, AuditLog
from tests.conftest import csrf_of


def _post_paths(app: Litestar) -> list[str]:
    paths = []
    for route in app.routes:
        if "POST" not in getattr(route, "methods", set()):
            continue
        path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
        paths.append(re.sub(r"\{[^}:]+:str\}", "x", path))
    return sorted(set(paths))


async def test_a_non_ascii_csrf_token_is_a_403_on_every_form(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    paths = _post_paths(app)
    assert "/admin/login" in paths and "/apply/submit" in paths and len(paths) > 40
    page = await client.get("/admin/login")
    csrf = csrf_of(page.text)
    cookie = client.cookies["ouen_csrf"]
    client.cookies.clear()
    # A real token with its tail made non-ASCII (same length, so only the comparison sees it).
    garbled = csrf[:64] + "ａ" * (len(csrf) - 64)
    for where in ("field", "cookie", "header"):
        headers = {b"cookie": f"ouen_csrf={cookie}".encode()}
        if where == "cookie":
            headers[b"cookie"] = f"ouen_csrf={cookie[:64]}{'é' * (len(cookie) - 64)}".encode(
                "latin-1")
        if where == "header":
            headers[b"x-csrftoken"] = (csrf[:64] + "é" * (len(csrf) - 64)).encode("latin-1")
        form = ({"note": "x"} if where == "header"
                else {"_csrf_token": garbled if where == "field" else csrf})
        for path in paths:
            response = await client.post(path, data=form, headers=headers)
            assert response.status_code == 403, (where, path, response.status_code)


def test_totp_codes_typed_in_full_width_digits_count() -> None:
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).now()
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert totp_step(secret, wide, None) == totp_step(secret, code, None) is not None
    for odd in ("１２３４５あ", "²²²²²²", "12345６7", "あいうえおか"):
        assert totp_step(secret, odd, None) is None


async def test_verify_reports_a_non_ascii_mac_as_altered(app: Litestar, database_url: str,
                                                         client: httpx.AsyncClient) -> None:
    audit: AuditLog = app.state.audit
    async with app.state.sessions() as db, db.begin():
        for n in range(2):
            await audit.record(db, "test.event", SYSTEM, detail=f"n={n}")
    async with app.state.sessions() as db, db.begin():
        conn = await db.connection()
        if database_url.startswith("sqlite"):
            await conn.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        last = (await conn.execute(text("SELECT max(id) FROM audit_event"))).scalar_one()
        await conn.execute(text("UPDATE audit_event SET mac = 'ｍａｃ' WHERE id = :i"),
                           {"i": last})
    async with app.state.sessions() as db:
        result = await audit.verify(db)
    assert not result.ok and result.bad_id == last and result.reason == "content altered"
