"""Staff sign-in: passwords, lockout, TOTP, sessions, permissions on every /admin route."""

from __future__ import annotations

import asyncio
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
from admin.permissions import Permission
from app import create_app
from core.db import utcnow
from core.models import AuditEvent
from core.settings import Settings
from tests.admin.factories import actions, admin_routes, submit_code
from tests.conftest import csrf_of, running
from tests.factories import PASSWORD, login, make_staff, signed_in


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


class RecordingHasher:
    """argon2's PasswordHasher (its attributes are read-only), noting each hash verified."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.hashes: list[str] = []

    def verify(self, stored: str, password: str) -> bool:
        self.hashes.append(stored)
        ok: bool = self.real.verify(stored, password)
        return ok

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


async def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: httpx.AsyncClient, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown address is checked against the dummy hash (no timing oracle) and gets the
    page a wrong password gets."""
    user, _ = await make_staff(app, "coordinator")
    passwords = app.state.passwords
    asked: list[tuple[str | None, str]] = []  # what Passwords.verify was asked
    verify = passwords.verify

    async def spy(stored: str | None, password: str) -> bool:
        asked.append((stored, password))
        ok: bool = await verify(stored, password)
        return ok

    argon2 = RecordingHasher(passwords._hasher)  # the hash argon2 really ran against
    monkeypatch.setattr(passwords, "verify", spy)
    monkeypatch.setattr(passwords, "_hasher", argon2)
    unknown = await login(client, "nobody@city.example.jp", "not the password")
    assert asked == [(None, "not the password")]
    assert argon2.hashes == [passwords._dummy] and passwords._dummy.startswith("$argon2id$")
    wrong = await login(client, user.email, "not the password")
    assert asked[1:] == [(user.password_hash, "not the password")]
    assert argon2.hashes[1:] == [user.password_hash]
    assert wrong.status_code == unknown.status_code == 400
    message = "メールアドレスまたはパスワードが正しくありません"
    assert message in wrong.text and message in unknown.text
    # The same page, but for the address echoed back into the form.
    assert wrong.text.replace(user.email, "@") == unknown.text.replace(
        "nobody@city.example.jp", "@")
    assert "nobody@city.example.jp" not in "".join(await actions(app))
    assert [a for a in await actions(app) if a.startswith("login.")] == [
        "login.failed(unknown account)", "login.failed(wrong password)"]


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


async def test_login_rate_limit_per_address_across_accounts(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """One password sprayed over many accounts from one address: after 30 attempts in 15
    minutes that address is refused before any password is checked, even the right one;
    other addresses sign in as usual."""
    user, _ = await make_staff(app, "coordinator")
    for n in range(29):
        assert (await login(client, f"staff{n}@city.example.jp", "Winter2026!")).status_code == 400
    assert (await login(client, user.email, "Winter2026!")).status_code == 400  # 30th
    limited = await login(client, user.email)  # the right password
    assert limited.status_code == 429 and "15分待って" in limited.text
    assert "ouen_staff=" not in limited.headers.get("set-cookie", "")
    assert (await client.get("/admin")).headers["location"] == "/admin/login"
    again = await login(client, user.email)
    assert again.status_code == 429
    # Thirty refusals in the audit log, then one entry for the limit however often it is hit:
    # the passwords of the 31st and later attempts were never read.
    attempts = [a for a in await actions(app) if a.startswith("login.")]
    assert attempts == (["login.failed(unknown account)"] * 29
                        + ["login.failed(wrong password)", "login.rate_limited(limit=address)"])
    elsewhere = httpx.ASGITransport(app=app, client=("192.0.2.10", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=elsewhere, base_url=str(client.base_url)) as other:
        signed_in = await login(other, user.email)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin"
    assert (await actions(app))[-1] == "login.success"


async def test_successful_sign_ins_from_one_office_address_are_not_limited(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """Forty sign-ins of eight colleagues behind one address in a quarter of an hour: only
    failures count towards the address's limit."""
    users = [(await make_staff(app, "coordinator", email=f"office{n}@city.example.jp"))[0]
             for n in range(8)]
    for _round in range(5):
        for user in users:
            response = await login(client, user.email)
            assert response.status_code == 303, response.text[:200]
            client.cookies.clear()
    assert "login.rate_limited(limit=address)" not in await actions(app)


async def test_admin_requires_a_second_factor_of_a_coordinator(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """Ticking "TOTP required" ends the user's sessions; at the next sign-in they must enrol."""
    coordinator, _ = await make_staff(app, "coordinator")
    assert (await login(client, coordinator.email)).headers["location"] == "/admin"
    admin, _ = await make_staff(app, "admin")
    async with httpx.AsyncClient(transport=client._transport,
                                 base_url=str(client.base_url)) as chief:
        async with app.state.sessions() as db, db.begin():
            token = await app.state.session_store.create(db, admin.id or 0, "full")
        chief.cookies.set("ouen_staff", token, path="/admin")
        page = await chief.get("/admin/users")
        changed = await chief.post(f"/admin/users/{coordinator.id}", data={
            "role": "coordinator", "active": "1", "totp_required": "1",
            "_csrf_token": csrf_of(page.text)})
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/users"
    assert "user.updated(totp_required False->True)" in await actions(app)
    async with app.state.sessions() as db:
        row = await db.get(StaffUser, coordinator.id)
        assert row is not None and row.totp_required and row.totp_secret_enc is None
    assert (await client.get("/admin")).headers["location"] == "/admin/login"  # session ended

    again = await login(client, coordinator.email)
    assert again.status_code == 303 and again.headers["location"] == "/admin/mfa/setup"
    assert (await client.get("/admin")).headers["location"] == "/admin/login"  # not yet in
    setup = await client.get("/admin/mfa/setup")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup.text)
    pending = re.search(r'name="pending" value="([^"]+)"', setup.text)
    assert secret and pending
    enrolled = await client.post("/admin/mfa/setup", data={
        "pending": pending.group(1), "code": pyotp.TOTP(secret.group(1)).now(),
        "_csrf_token": csrf_of(setup.text)})
    assert enrolled.status_code == 303 and enrolled.headers["location"] == "/admin"
    assert (await client.get("/admin")).status_code == 200
    assert "mfa.enrolled" in await actions(app)


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


def test_every_admin_route_declares_a_permission(app: Litestar) -> None:
    routes = admin_routes(app)
    assert len(routes) >= 10
    public = {path for _m, path, h in routes if h.opt.get("public")}
    assert public == {"/admin/login", "/admin/login/totp", "/admin/mfa/setup", "/admin/logout"}
    for method, path, handler in routes:
        if path not in public:
            assert isinstance(handler.opt.get("permission"), Permission), f"{method} {path}"


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


OTP_RE = re.compile(r"one-time password \(must be changed at first login\): (\S{12,})")


async def ouen(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ouen ARGS` as an operator runs it, on the test's database."""
    env = {**os.environ, "OUEN_DATABASE_URL": database_url,
           "OUEN_VAR_DIR": str(tmp_path / "cli")}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", *args], env=env, text=True,
                              capture_output=True, check=False, timeout=120)

    return await asyncio.to_thread(run)


async def staff_rows(app: Litestar) -> list[StaffUser]:
    async with app.state.sessions() as db:
        return list((await db.exec(select(StaffUser).order_by(col(StaffUser.id)))).all())


async def test_cli_creates_the_first_admin_when_there_is_no_staff(
    client: httpx.AsyncClient, app: Litestar, database_url: str, tmp_path: Path
) -> None:
    assert await staff_rows(app) == []
    first = await ouen(database_url, tmp_path, "create-user", "Chief@City.example.jp",
                       "--role", "admin", "--name", "市 太郎", "--organisation", "神戸市",
                       "--if-no-staff")
    assert first.returncode == 0, first.stderr
    assert "created admin chief@city.example.jp" in first.stdout
    assert "a second factor (TOTP) will be set up at first login" in first.stdout
    otp = OTP_RE.search(first.stdout)
    assert otp
    [row] = await staff_rows(app)
    assert (row.email, row.role, row.display_name, row.organisation) == (
        "chief@city.example.jp", "admin", "市 太郎", "神戸市")
    assert row.must_change_password and row.totp_required and row.totp_secret_enc is None
    async with app.state.sessions() as db:
        [event] = (await db.exec(select(AuditEvent))).all()
    assert (event.action, event.actor, event.object_id, event.detail) == (
        "user.created", "cli", str(row.id), "role=admin")
    # The printed password is the account's: the first sign-in goes on to set up TOTP.
    signed_in = await login(client, "chief@city.example.jp", otp.group(1))
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin/mfa/setup"

    again = await ouen(database_url, tmp_path, "create-user", "second@city.example.jp",
                       "--role", "admin", "--if-no-staff")
    assert again.returncode == 0 and again.stdout == "", again.stderr
    assert [u.email for u in await staff_rows(app)] == ["chief@city.example.jp"]


async def test_cli_create_user(
    client: httpx.AsyncClient, app: Litestar, database_url: str, tmp_path: Path
) -> None:
    await make_staff(app, "admin")
    made = await ouen(database_url, tmp_path, "create-user", "Editor@City.example.jp",
                      "--role", "editor")
    assert made.returncode == 0, made.stderr
    assert "created editor editor@city.example.jp" in made.stdout and "TOTP" not in made.stdout
    otp = OTP_RE.search(made.stdout)
    assert otp
    signed_in = await login(client, "editor@city.example.jp", otp.group(1))
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin/password"
    taken = await ouen(database_url, tmp_path, "create-user", "EDITOR@city.example.jp",
                       "--role", "coordinator")
    assert taken.returncode == 2 and "exists" in taken.stderr and taken.stdout == ""
    rows = await staff_rows(app)
    assert [(u.email, u.role, u.must_change_password, u.totp_required) for u in rows] == [
        ("admin@city.example.jp", "admin", False, True),
        ("editor@city.example.jp", "editor", True, False)]


async def test_a_cookie_planted_at_the_root_path_neither_blocks_nor_replaces_the_session(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """A sibling subdomain can set `ouen_staff` (and `ouen_csrf`) at Path=/; browsers send
    ours (Path=/admin, more specific) first. The first occurrence counts, and the planted
    one is cleared at Path=/."""
    user = await signed_in(client, app, "coordinator")
    real = next(c.value for c in client.cookies.jar if c.name == "ouen_staff")
    assert real and real != "planted-by-a-neighbour"
    client.cookies.clear()
    page = await client.get("/admin", headers={"cookie": f"ouen_staff={real}; "
                                                          "ouen_staff=planted-by-a-neighbour"})
    assert page.status_code == 200 and user.display_name in page.text
    cleared = page.headers.get_list("set-cookie")
    assert "ouen_staff=; Path=/; Max-Age=0" in cleared
    # Signing in with a planted CSRF cookie behind ours works too.
    form = await client.get("/admin/login")
    csrf_cookie = next(c.value for c in client.cookies.jar if c.name == "ouen_csrf")
    assert csrf_cookie
    client.cookies.clear()
    signed = await client.post("/admin/login", data={
        "email": user.email, "password": PASSWORD, "_csrf_token": csrf_of(form.text)},
        headers={"cookie": f"ouen_csrf={csrf_cookie}; ouen_csrf=planted"})
    assert signed.status_code == 303 and signed.headers["location"] != "/admin/login"


async def test_in_production_session_cookies_carry_the_host_prefix(
    settings: Settings
) -> None:
    production = create_app(settings.with_changes(env="production"))
    async with running(production, "https://ouen.test") as client:
        user, _ = await make_staff(production, "coordinator", email="prod.coord@city.example.jp")
        form = await client.get("/admin/login")
        set_cookies = form.headers.get_list("set-cookie")
        assert any(c.startswith("__Host-ouen_csrf=") and "Path=/" in c and "Secure" in c
                   for c in set_cookies), set_cookies
        signed = await client.post("/admin/login", data={
            "email": user.email, "password": PASSWORD, "_csrf_token": csrf_of(form.text)})
        assert signed.status_code == 303, signed.text[:300]
        staff_cookies = [c for c in signed.headers.get_list("set-cookie")
                         if "ouen_staff" in c]
        assert staff_cookies and all(c.startswith("__Host-ouen_staff=") and "Secure" in c
                                     and "Path=/;" in c + ";" for c in staff_cookies)
        assert (await client.get("/admin")).status_code == 200
        # A plain-named cookie, wherever it came from, is not ours: ignored and cleared.
        token = next(c.value for c in client.cookies.jar if c.name == "__Host-ouen_staff")
        client.cookies.clear()
        planted = await client.get("/admin", headers={"cookie": f"ouen_staff={token}"})
        assert planted.status_code == 303 and planted.headers["location"] == "/admin/login"
        assert "ouen_staff=; Path=/; Max-Age=0" in planted.headers.get_list("set-cookie")
