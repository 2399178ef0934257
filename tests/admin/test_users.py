"""Admins manage staff accounts; privilege changes end the user's sessions; reopen."""

from __future__ import annotations

import re

import httpx
from litestar import Litestar
from sqlmodel import col, select

from admin.models import StaffUser
from core.models import AuditEvent
from tests.conftest import csrf_of
from tests.factories import login, make_proposal, make_staff, signed_in


async def admin_client(client: httpx.AsyncClient, app: Litestar) -> StaffUser:
    admin, _ = await make_staff(app, "admin", email="chief@city.example.jp")
    assert admin.id is not None
    async with app.state.sessions() as db, db.begin():
        token = await app.state.session_store.create(db, admin.id, "full")
    client.cookies.set("ouen_staff", token, path="/admin")
    return admin


async def details(app: Litestar, action: str) -> list[str]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent).where(col(AuditEvent.action) == action))
        return [e.detail for e in rows.all()]


async def test_admin_creates_an_account_with_a_one_time_password(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await admin_client(client, app)
    page = await client.get("/admin/users")
    assert page.status_code == 200
    made = await client.post("/admin/users/", data={
        "email": "New.Staff@Contractor.example.jp", "display_name": "委託 次郎",
        "organisation": "委託事業者", "role": "coordinator", "_csrf_token": csrf_of(page.text)})
    assert made.status_code == 200 and "new.staff@contractor.example.jp" in made.text
    secret = re.search(r'<code class="secret">([^<]+)</code>', made.text)
    assert secret
    assert "role=coordinator" in await details(app, "user.created")
    fresh = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    first = await login(fresh, "new.staff@contractor.example.jp", secret.group(1))
    assert first.headers["location"] == "/admin/password"
    await fresh.aclose()
    again = await client.post("/admin/users/", data={
        "email": "new.staff@contractor.example.jp", "role": "editor",
        "_csrf_token": csrf_of(page.text)})
    assert again.status_code == 400 and "作成できませんでした" in again.text


async def test_role_change_ends_the_users_sessions(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    other = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    coordinator = await signed_in(other, app, "coordinator")
    assert (await other.get("/admin/proposals")).status_code == 200
    await admin_client(client, app)
    page = await client.get("/admin/users")
    changed = await client.post(f"/admin/users/{coordinator.id}", data={
        "role": "editor", "active": "1", "_csrf_token": csrf_of(page.text)})
    assert changed.status_code == 303
    assert (await other.get("/admin/proposals")).headers["location"] == "/admin/login"
    assert await details(app, "user.updated") == ["role coordinator->editor"]
    await other.aclose()


async def test_admin_cannot_lock_themselves_out(client: httpx.AsyncClient, app: Litestar) -> None:
    admin = await admin_client(client, app)
    page = await client.get("/admin/users")
    response = await client.post(f"/admin/users/{admin.id}", data={
        "role": "admin", "_csrf_token": csrf_of(page.text)})  # active unticked
    assert response.status_code == 400 and "自分の役割の変更や無効化はできません" in response.text


async def test_only_admins_manage_users_and_reopen(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="declined")
    coordinator = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    await signed_in(coordinator, app, "coordinator")
    assert (await coordinator.get("/admin/users")).status_code == 403
    case = await coordinator.get(f"/admin/proposals/{proposal.id}")
    assert "案件を再開する" not in case.text
    refused = await coordinator.post(f"/admin/proposals/{proposal.id}/reopen",
                                     data={"reason": "x", "_csrf_token": csrf_of(case.text)})
    assert refused.status_code == 403
    await coordinator.aclose()

    await admin_client(client, app)
    case = await client.get(f"/admin/proposals/{proposal.id}")
    assert "案件を再開する" in case.text
    no_reason = await client.post(f"/admin/proposals/{proposal.id}/reopen",
                                  data={"_csrf_token": csrf_of(case.text)})
    assert no_reason.status_code == 400
    form = {"reason": "本人から再度連絡", "_csrf_token": csrf_of(case.text)}
    reopened = await client.post(f"/admin/proposals/{proposal.id}/reopen", data=form)
    assert reopened.status_code == 303
    assert "聞き取り中" in (await client.get(f"/admin/proposals/{proposal.id}")).text
    assert await details(app, "proposal.reopened") == ["declined -> in_contact"]
