"""Staff sign-in: passwords, lockout, TOTP, sessions, permissions on every /admin route."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from litestar import Litestar
from sqlmodel import col, select

from admin.models import StaffSession, StaffUser
from admin.permissions import ROLES, Permission, allowed
from admin.services import create_user
from app import create_app
from core.audit import AuditEvent
from core.db import utcnow
from core.settings import Settings
from tests.conftest import csrf_of, running

PASSWORD = "correct horse battery staple"


async def make_staff(app: Litestar, role: str, email: str | None = None,
                     must_change: bool = False, totp: bool = False) -> tuple[StaffUser, str | None]:
    """An account with a known password (and a TOTP secret when `totp`)."""
    state = app.state
    secret = pyotp.random_base32() if totp else None
    async with state.sessions() as db, db.begin():
        user, _otp = await create_user(db, state.passwords, state.audit,
                                       email=email or f"{role}@city.example.jp", role=role,
                                       organisation="神戸市")
        user.password_hash = await state.passwords.hash(PASSWORD)
        user.must_change_password = must_change
        user.totp_secret_enc = state.cipher.encrypt(secret) if secret else None
        db.add(user)
    return user, secret


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/admin/login")
    return await client.post("/admin/login", data={"email": email, "password": password,
                                                   "_csrf_token": csrf_of(page.text)})


async def submit_code(client: httpx.AsyncClient, path: str, code: str,
                      extra: dict[str, str] | None = None) -> httpx.Response:
    page = await client.get(path)
    return await client.post(path, data={"code": code, "_csrf_token": csrf_of(page.text),
                                         **(extra or {})})


async def actions(app: Litestar) -> list[str]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
        return [e.action + (f"({e.detail})" if e.detail else "") for e in rows.all()]


async def test_coordinator_signs_in_and_out(client: httpx.AsyncClient, app: Litestar) -> None:
    await make_staff(app, "coordinator")
    response = await login(client, "Coordinator@City.example.jp")
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert "ouen_staff=" in cookie and "HttpOnly" in cookie and "Path=/admin" in cookie
    dashboard = await client.get("/admin")
    assert dashboard.status_code == 200 and "状態別の応募数" in dashboard.text
    logout = await client.post("/admin/logout", data={"_csrf_token": csrf_of(dashboard.text)})
    assert logout.status_code == 303
    assert (await client.get("/admin")).headers["location"] == "/admin/login"
    assert [a for a in await actions(app) if "login" in a or "logout" in a] == [
        "login.success", "logout"]


async def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_staff(app, "coordinator")
    wrong = await login(client, "coordinator@city.example.jp", "not the password")
    unknown = await login(client, "nobody@city.example.jp", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    message = "メールアドレスまたはパスワードが正しくありません"
    assert message in wrong.text and message in unknown.text
    assert "nobody@city.example.jp" not in "".join(await actions(app))
    assert "login.failed(unknown account)" in await actions(app)


async def test_lockout_after_five_failures(client: httpx.AsyncClient, app: Litestar) -> None:
    user, _ = await make_staff(app, "coordinator")
    for _ in range(5):
        assert (await login(client, user.email, "wrong password!")).status_code == 400
    locked = await login(client, user.email)  # the right password no longer works
    assert locked.status_code == 400
    assert "account.locked" in " ".join(await actions(app))
    async with app.state.sessions() as db, db.begin():
        row = await db.get(StaffUser, user.id)
        assert row is not None
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.add(row)
    assert (await login(client, user.email)).status_code == 303


async def test_login_rate_limit_per_account(client: httpx.AsyncClient, app: Litestar) -> None:
    for n in range(10):
        await login(client, "target@city.example.jp", f"guess {n}")
    limited = await login(client, "target@city.example.jp", "guess 11")
    assert limited.status_code == 429 and "15分待って" in limited.text


async def test_attacker_chosen_session_id_does_not_survive_login(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "coordinator")
    planted = "attacker-chosen-session-id-0123456789abcdef"
    client.cookies.set("ouen_staff", planted, path="/admin")
    response = await login(client, user.email)
    issued = re.search(r"ouen_staff=([^;]+)", response.headers["set-cookie"])
    assert issued and issued.group(1) != planted
    intruder = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    intruder.cookies.set("ouen_staff", planted, path="/admin")
    assert (await intruder.get("/admin")).status_code == 303  # the planted id is worth nothing
    await intruder.aclose()


async def test_admin_must_enrol_totp_then_uses_it_once(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "admin")
    first = await login(client, user.email)
    assert first.headers["location"] == "/admin/mfa/setup"
    assert (await client.get("/admin")).headers["location"] == "/admin/login"  # not yet in
    page = await client.get("/admin/mfa/setup")
    assert "<svg" in page.text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text)
    pending = re.search(r'name="pending" value="([^"]+)"', page.text)
    assert secret and pending
    form = {"pending": pending.group(1), "_csrf_token": csrf_of(page.text)}
    wrong = await client.post("/admin/mfa/setup", data={**form, "code": "000000"})
    assert wrong.status_code == 400 and secret.group(1) in wrong.text  # same secret again
    code = pyotp.TOTP(secret.group(1)).now()
    enrolled = await client.post("/admin/mfa/setup", data={**form, "code": code})
    assert enrolled.status_code == 303 and enrolled.headers["location"] == "/admin"
    assert (await client.get("/admin")).status_code == 200
    assert "mfa.enrolled" in await actions(app)

    # Next sign-in asks for the code; a code already used is refused.
    dashboard = await client.get("/admin")
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(dashboard.text)})
    second = await login(client, user.email)
    assert second.headers["location"] == "/admin/login/totp"
    replay = await submit_code(client, "/admin/login/totp", code)
    assert replay.status_code == 400 and "すでに使われています" in replay.text


async def test_totp_login(client: httpx.AsyncClient, app: Litestar) -> None:
    user, secret = await make_staff(app, "editor", totp=True)
    assert secret
    first = await login(client, user.email)
    assert first.headers["location"] == "/admin/login/totp"
    before = re.search(r"ouen_staff=([^;]+)", first.headers["set-cookie"])
    done = await submit_code(client, "/admin/login/totp", pyotp.TOTP(secret).now())
    after = re.search(r"ouen_staff=([^;]+)", done.headers["set-cookie"])
    assert done.status_code == 303 and before and after and before.group(1) != after.group(1)
    assert (await client.get("/admin")).status_code == 200


async def test_one_time_password_must_be_changed(client: httpx.AsyncClient, app: Litestar) -> None:
    user, _ = await make_staff(app, "coordinator", must_change=True)
    response = await login(client, user.email)
    assert response.headers["location"] == "/admin/password"
    assert (await client.get("/admin")).headers["location"] == "/admin/password"
    page = await client.get("/admin/password")
    assert "仮パスワードでログインしました" in page.text
    short = await client.post("/admin/password", data={
        "current": PASSWORD, "new": "short", "repeat": "short", "_csrf_token": csrf_of(page.text)})
    assert short.status_code == 400 and "12文字以上" in short.text
    new = "a much better passphrase 2026"
    changed = await client.post("/admin/password", data={
        "current": PASSWORD, "new": new, "repeat": new, "_csrf_token": csrf_of(page.text)})
    assert changed.status_code == 303
    assert (await client.get("/admin")).status_code == 200
    assert "password.changed" in await actions(app)


async def test_idle_session_expires(client: httpx.AsyncClient, app: Litestar) -> None:
    user, _ = await make_staff(app, "coordinator")
    await login(client, user.email)
    assert (await client.get("/admin")).status_code == 200
    async with app.state.sessions() as db, db.begin():
        for row in (await db.exec(select(StaffSession))).all():
            row.last_seen_at = utcnow() - timedelta(minutes=31)
            db.add(row)
    assert (await client.get("/admin")).headers["location"] == "/admin/login"


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


def test_every_admin_route_declares_a_permission(app: Litestar) -> None:
    routes = admin_routes(app)
    assert len(routes) >= 10
    public = {path for _m, path, h in routes if h.opt.get("public")}
    assert public == {"/admin/login", "/admin/login/totp", "/admin/mfa/setup", "/admin/logout"}
    for method, path, handler in routes:
        if path not in public:
            assert isinstance(handler.opt.get("permission"), Permission), f"{method} {path}"


async def test_role_route_matrix(client: httpx.AsyncClient, app: Litestar) -> None:
    clients: dict[str, httpx.AsyncClient] = {}
    for role in ROLES:
        user, _ = await make_staff(app, role)
        c = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
        if role == "admin":  # admins need a second factor; give this one a full session
            async with app.state.sessions() as db, db.begin():
                assert user.id is not None
                token = await app.state.session_store.create(db, user.id, "full")
            c.cookies.set("ouen_staff", token, path="/admin")
        else:
            await login(c, user.email)
        clients[role] = c
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    try:
        for method, path, handler in admin_routes(app):
            permission = handler.opt.get("permission")
            if handler.opt.get("public") or "{" in path:
                continue
            for role, c in clients.items():
                csrf = csrf_of((await c.get("/admin/password")).text)
                response = await c.request(method, path, data={"_csrf_token": csrf}
                                           if method == "POST" else None)
                if allowed(role, permission):
                    assert response.status_code not in (403, 401), (role, method, path)
                    assert response.headers.get("location") != "/admin/login"
                else:
                    assert response.status_code == 403, (role, method, path)
            page = await anonymous.get("/admin/login")
            data = {"_csrf_token": csrf_of(page.text)} if method == "POST" else None
            response = await anonymous.request(method, path, data=data)
            assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    finally:
        for c in [*clients.values(), anonymous]:
            await c.aclose()


async def test_sessions_in_redis(settings: Settings) -> None:
    redis_settings = settings.with_changes(redis_url="redis://127.0.0.1:6379/0")
    app = create_app(redis_settings)
    async with running(app) as client:
        try:
            await app.state.session_store._redis.ping()
        except Exception:
            if os.environ.get("OUEN_REQUIRE_POSTGRES") == "1":
                raise
            pytest.skip("Redis not reachable")
        # Redis outlives the test: a fresh address keeps earlier runs' login counts away.
        email = f"redis-{secrets.token_hex(4)}@city.example.jp"
        user, _ = await make_staff(app, "coordinator", email=email)
        await login(client, user.email)
        assert (await client.get("/admin")).status_code == 200
        async with app.state.sessions() as db:
            assert (await db.exec(select(StaffSession))).first() is None  # not in the database
        await app.state.session_store.delete_for_user(None, user.id)
        assert (await client.get("/admin")).headers["location"] == "/admin/login"


def test_cli_create_user(tmp_path: Path) -> None:
    env = {**os.environ, "OUEN_VAR_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "core.cli"]
    subprocess.run([*run, "migrate"], env=env, capture_output=True, check=True, timeout=120)
    made = subprocess.run([*run, "create-user", "Chief@City.example.jp", "--role", "admin"],
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    assert made.returncode == 0, made.stderr
    assert "created admin chief@city.example.jp" in made.stdout
    assert re.search(r"one-time password \(must be changed at first login\): \S{12,}", made.stdout)
    again = subprocess.run([*run, "create-user", "x@city.example.jp", "--role", "editor",
                            "--if-no-staff"], env=env, capture_output=True, text=True,
                           check=False, timeout=120)
    assert again.returncode == 0 and again.stdout == ""
    bad = subprocess.run([*run, "create-user", "chief@city.example.jp", "--role", "admin"],
                         env=env, capture_output=True, text=True, check=False, timeout=120)
    assert bad.returncode == 2 and "exists" in bad.stderr


async def test_absolute_session_limit(client: httpx.AsyncClient, app: Litestar) -> None:
    user, _ = await make_staff(app, "coordinator")
    await login(client, user.email)
    async with app.state.sessions() as db, db.begin():
        for row in (await db.exec(select(StaffSession))).all():
            row.created_at = utcnow() - timedelta(hours=12, minutes=1)
            row.last_seen_at = utcnow()  # active all along: the 12-hour limit still applies
            db.add(row)
    assert (await client.get("/admin")).headers["location"] == "/admin/login"


async def test_password_guessing_through_a_session_locks_the_account(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "coordinator")
    await login(client, user.email)
    page = await client.get("/admin/password")
    csrf = csrf_of(page.text)
    new = "another long passphrase 99"
    for n in range(5):
        response = await client.post("/admin/password", data={
            "current": f"guess {n}", "new": new, "repeat": new, "_csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert (await client.get("/admin")).headers["location"] == "/admin/login"
    assert (await login(client, user.email)).status_code == 400  # locked for 15 minutes
    assert "password.change_failed" in " ".join(await actions(app))


async def test_password_change_keeps_the_absolute_limit(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "coordinator")
    await login(client, user.email)
    started = utcnow() - timedelta(hours=11)
    async with app.state.sessions() as db, db.begin():
        for row in (await db.exec(select(StaffSession))).all():
            row.created_at = started
            db.add(row)
    page = await client.get("/admin/password")
    new = "another long passphrase 99"
    changed = await client.post("/admin/password", data={
        "current": PASSWORD, "new": new, "repeat": new, "_csrf_token": csrf_of(page.text)})
    assert changed.status_code == 303
    async with app.state.sessions() as db:
        [row] = (await db.exec(select(StaffSession))).all()
    assert abs((row.created_at - started).total_seconds()) < 1
