"""Shared builders for tests: staff accounts and sign-in, proposals, and the staff steps many
tests take. Test modules import from here (and tests/conftest.py), never from each other."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
from litestar import Litestar

from admin.models import StaffUser
from admin.services import create_user
from core.db import utcnow
from intake.models import Proposal
from intake.search import index_proposal
from tests.conftest import csrf_of

PASSWORD = "correct horse battery staple"
EMAIL, PHONE = "taro.kobe@example.jp", "0783225211"


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


async def signed_in(client: httpx.AsyncClient, app: Litestar, role: str) -> StaffUser:
    user, _ = await make_staff(app, role, email=f"{role}.case@city.example.jp")
    response = await login(client, user.email)
    assert response.status_code == 303
    return user


async def make_proposal(app: Litestar, **overrides: Any) -> Proposal:
    """A proposal as staff see it (verified and in the search index unless `unverified`)."""
    cipher = app.state.cipher
    now = utcnow()
    values: dict[str, Any] = {
        "ref": f"OU-TEST-{utcnow().microsecond:06d}"[:16], "status": "new",
        "category": "elderly", "ward": "nada", "catchphrase": "高齢者の買い物を手伝いたい",
        "body": "灘区で高齢の方の買い物を手伝います。",
        "nickname_enc": cipher.encrypt("こうべ太郎"),
        "email_enc": cipher.encrypt(EMAIL), "email_bidx": cipher.blind_index(EMAIL),
        "phone_enc": cipher.encrypt(PHONE), "locale": "ja", "consent_at": now,
        "policy_version": "2026-11-01", "created_at": now, "verified_at": now,
    }
    values.update(overrides)
    async with app.state.sessions() as db, db.begin():
        proposal = Proposal(**values)
        db.add(proposal)
        await db.flush()
        await db.refresh(proposal)
        if proposal.status != "unverified":  # as verification and staff entry do
            await index_proposal(db, proposal)
    return proposal


async def status_change(client: httpx.AsyncClient, proposal_id: int, to: str,
                        reason: str = "") -> httpx.Response:
    """A coordinator moves a case on from its page, as the status form does."""
    url = f"/admin/proposals/{proposal_id}"
    page = await client.get(url)
    return await client.post(f"{url}/status", data={"to": to, "reason": reason,
                                                    "_csrf_token": csrf_of(page.text)})
