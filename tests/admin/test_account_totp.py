"""Optional second factor: any staff member may add one from their account page; it is asked
at every sign-in from then on; those who need one cannot remove it."""

from __future__ import annotations

import re
import time

import httpx
import pyotp
from litestar import Litestar

from admin.models import StaffUser
from tests.admin.factories import actions
from tests.conftest import csrf_of
from tests.factories import login, make_staff

SECRET_RE = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')


async def test_a_coordinator_adds_a_second_factor_and_then_needs_it(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "coordinator")
    assert (await login(client, user.email)).headers["location"] == "/admin"
    account = await client.get("/admin/password")
    assert "/admin/account/totp" in account.text
    page = await client.get("/admin/account/totp")
    assert page.status_code == 200 and "<svg" in page.text
    secret_match = SECRET_RE.search(page.text)
    assert secret_match
    secret = secret_match.group(1)
    pending = re.search(r'name="pending" value="([^"]+)"', page.text)
    assert pending
    wrong = await client.post("/admin/account/totp", data={
        "_csrf_token": csrf_of(page.text), "pending": pending.group(1), "code": "000000"})
    assert wrong.status_code == 400
    async with app.state.sessions() as db:
        stored = await db.get(StaffUser, user.id)
        assert stored is not None and stored.totp_secret_enc is None  # nothing changed
    before = client.cookies.get("ouen_staff")
    enrolled = await client.post("/admin/account/totp", data={
        "_csrf_token": csrf_of(page.text), "pending": pending.group(1),
        "code": pyotp.TOTP(secret).now()})
    assert enrolled.status_code == 303
    assert client.cookies.get("ouen_staff") != before  # a new session id
    assert "mfa.enrolled" in await actions(app)
    status_page = await client.get("/admin/account/totp")
    assert status_page.status_code == 200 and 'name="action" value="remove"' in status_page.text

    client.cookies.clear()
    again = await login(client, user.email)
    assert again.headers["location"] == "/admin/login/totp"  # asked from now on


async def test_a_second_factor_can_be_removed_only_where_it_is_optional(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, secret = await make_staff(app, "editor", totp=True)
    assert secret
    await login(client, user.email)
    page = await client.get("/admin/login/totp")
    await client.post("/admin/login/totp", data={"_csrf_token": csrf_of(page.text),
                                                 "code": pyotp.TOTP(secret).now()})
    status_page = await client.get("/admin/account/totp")
    assert 'value="remove"' in status_page.text
    # The code just used for signing in cannot be used again (reuse is refused).
    reused = await client.post("/admin/account/totp", data={
        "_csrf_token": csrf_of(status_page.text), "action": "remove",
        "code": pyotp.TOTP(secret).now()})
    assert reused.status_code == 400
    assert "mfa.removed" not in await actions(app)

    admin, admin_secret = await make_staff(app, "admin", email="chief@city.example.jp",
                                           totp=True)
    assert admin_secret
    client.cookies.clear()
    await login(client, admin.email)
    page = await client.get("/admin/login/totp")
    await client.post("/admin/login/totp", data={"_csrf_token": csrf_of(page.text),
                                                 "code": pyotp.TOTP(admin_secret).now()})
    admin_page = await client.get("/admin/account/totp")
    assert 'value="remove"' not in admin_page.text
    refused = await client.post("/admin/account/totp", data={
        "_csrf_token": csrf_of(admin_page.text), "action": "remove", "code": "123456"})
    assert refused.status_code == 400
    async with app.state.sessions() as db:
        stored = await db.get(StaffUser, admin.id)
        assert stored is not None and stored.totp_secret_enc is not None


async def test_removing_with_a_fresh_code_turns_it_off(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, secret = await make_staff(app, "coordinator", totp=True)
    assert secret
    await login(client, user.email)
    page = await client.get("/admin/login/totp")
    totp = pyotp.TOTP(secret)
    # Sign in with the previous step's code (still accepted within the window), remove with
    # the current one: two different codes, as a person would type them 30 s apart.
    previous = totp.at(time.time() - 30)
    signed = await client.post("/admin/login/totp", data={"_csrf_token": csrf_of(page.text),
                                                          "code": previous})
    assert signed.status_code == 303
    status_page = await client.get("/admin/account/totp")
    removed = await client.post("/admin/account/totp", data={
        "_csrf_token": csrf_of(status_page.text), "action": "remove", "code": totp.now()})
    assert removed.status_code == 303
    assert "mfa.removed" in await actions(app)
    client.cookies.clear()
    assert (await login(client, user.email)).headers["location"] == "/admin"
