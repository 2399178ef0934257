"""Guessing a staff member's password or second factor: at most five guesses are ever
checked per lock window, however many arrive at once (the counter is taken atomically
before the check), codes are limited per pending sign-in and per account, and a flood of
refused sign-ins leaves one audit entry per address."""

from __future__ import annotations

import asyncio
import time

import httpx
import pyotp
from litestar import Litestar
from sqlmodel import col, select

from admin.models import StaffUser
from admin.services import LOCK_AFTER, check_totp
from core.db import utcnow
from core.models import AuditEvent
from tests.conftest import csrf_of
from tests.factories import login, make_staff


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of the codes valid around now."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + offset * totp.interval) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


async def failures(app: Litestar) -> list[str]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent.detail).where(
            col(AuditEvent.action) == "login.failed").order_by(col(AuditEvent.id)))
        return list(rows.all())


async def staff_row(app: Litestar, user_id: int | None) -> StaffUser:
    async with app.state.sessions() as db:
        row: StaffUser | None = await db.get(StaffUser, user_id)
    assert row is not None
    return row


async def test_concurrent_wrong_passwords_are_counted_and_lock_the_account(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "coordinator")
    page = await client.get("/admin/login")
    csrf = csrf_of(page.text)

    async def guess(n: int) -> int:
        response = await client.post("/admin/login", data={
            "email": user.email, "password": f"guess {n}", "_csrf_token": csrf})
        return response.status_code

    statuses = await asyncio.gather(*(guess(n) for n in range(9)))
    assert set(statuses) == {400}
    details = await failures(app)
    checked = [d for d in details if d.startswith("wrong password")]
    assert len(checked) == LOCK_AFTER and checked[-1] == "wrong password; account locked"
    assert details.count("locked") == 9 - LOCK_AFTER
    row = await staff_row(app, user.id)
    assert row.locked_until is not None and row.locked_until > utcnow()
    assert (await login(client, user.email)).status_code == 400  # the right one, too late


async def test_concurrent_wrong_codes_check_at_most_five(app: Litestar,
                                                          client: httpx.AsyncClient) -> None:
    """Sixty codes for one account at once, each in its own transaction (as sixty sessions
    or instances would send them): five are checked, then the account is locked."""
    user, secret = await make_staff(app, "editor", totp=True)
    assert secret is not None
    code = wrong_code(secret)

    async def guess() -> bool:
        async with app.state.sessions() as db, db.begin():
            row = await db.get(StaffUser, user.id)
            assert row is not None
            return await check_totp(db, app.state.cipher, app.state.audit, row, code,
                                    "198.51.100.7")

    results = await asyncio.gather(*(guess() for _ in range(60)))
    assert not any(results)
    details = await failures(app)
    checked = [d for d in details if d.startswith("second factor: wrong password")]
    assert len(checked) == LOCK_AFTER
    assert details.count("second factor: locked") == 60 - LOCK_AFTER
    assert (await staff_row(app, user.id)).locked_until is not None
    # Locked: even the right code is not accepted now.
    async with app.state.sessions() as db, db.begin():
        row = await db.get(StaffUser, user.id)
        assert row is not None
        assert not await check_totp(db, app.state.cipher, app.state.audit, row,
                                    pyotp.TOTP(secret).now(), "198.51.100.7")


async def test_codes_are_limited_per_pending_sign_in(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, secret = await make_staff(app, "editor", totp=True)
    assert secret is not None
    assert (await login(client, user.email)).headers["location"] == "/admin/login/totp"
    page = await client.get("/admin/login/totp")
    csrf = csrf_of(page.text)

    async def send(code: str) -> httpx.Response:
        return await client.post("/admin/login/totp", data={"code": code, "_csrf_token": csrf})

    answers = await asyncio.gather(*(send(wrong_code(secret)) for _ in range(60)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(400) <= LOCK_AFTER and statuses.count(429) >= 60 - LOCK_AFTER
    assert "15分待って" in next(a.text for a in answers if a.status_code == 429)
    checked = [d for d in await failures(app) if d.startswith("second factor: wrong")]
    assert len(checked) <= LOCK_AFTER
    assert (await send(pyotp.TOTP(secret).now())).status_code == 429  # the right code too
    async with app.state.sessions() as db:
        limited = (await db.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "login.rate_limited"))).all()
    assert len(limited) == 1 and "second_factor_session" in limited[0].detail


async def test_a_flood_of_new_addresses_past_the_limit_writes_one_audit_entry(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    for n in range(30):
        await login(client, f"nobody{n}@city.example.jp", "guess")
    for n in range(200):
        response = await login(client, f"flood{n}@city.example.jp", "guess")
        assert response.status_code == 429
    async with app.state.sessions() as db:
        limited = (await db.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "login.rate_limited"))).all()
    assert len(limited) == 1
