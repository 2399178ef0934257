"""Finding 1 of the attack: a value taken from the database opens nowhere else. A staff
list given a ciphertext as its sealed search term (`?qe=`) finds nothing and shows nothing:
not a proposal's email address, not an admin's TOTP secret; a search link works only for
the member who searched, and only for a while."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar import Litestar
from sqlmodel import select

from admin.models import StaffUser
from core.web import SEARCH_TTL
from intake.models import Proposal
from tests.factories import (
    COLLABORATOR_EMAIL,
    EMAIL,
    login,
    make_collaborator,
    make_proposal,
    make_staff,
    search,
)


async def test_a_ciphertext_from_the_database_is_no_search_term(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app)
    await make_collaborator(app)
    admin, secret = await make_staff(app, "admin", totp=True)
    assert secret is not None
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
        staff = (await db.exec(select(StaffUser).where(StaffUser.id == admin.id))).one()
    assert row is not None and row.email_enc and staff.totp_secret_enc
    auditor, _ = await make_staff(app, "auditor", email="auditor@city.example.jp")
    assert (await login(client, auditor.email)).status_code == 303
    for stolen in (row.email_enc, staff.totp_secret_enc, row.key.wrapped if row.key else ""):
        page = await client.get("/admin/collaborators", params={"qe": stolen})
        assert page.status_code == 200
        for secret_text in (EMAIL, secret, COLLABORATOR_EMAIL):
            assert secret_text not in page.text
        assert 'type="search" value=""' in page.text


async def test_a_search_link_is_for_the_member_who_searched_and_expires(
    client: httpx.AsyncClient, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_proposal(app, catchphrase="高齢者の買い物を手伝いたい")
    await make_staff(app, "coordinator", email="first@city.example.jp")
    await make_staff(app, "coordinator", email="second@city.example.jp")
    assert (await login(client, "first@city.example.jp")).status_code == 303
    found = await search(client, "/admin/proposals", q="買い物")
    assert "高齢者の買い物を手伝いたい" in found.text
    link = str(found.url)
    sealed = parse_qs(urlsplit(link).query)["qe"][0]
    client.cookies.clear()
    assert (await login(client, "second@city.example.jp")).status_code == 303
    other = await client.get("/admin/proposals", params={"qe": sealed})
    assert 'value="買い物"' not in other.text  # the term did not open for another member
    client.cookies.clear()
    assert (await login(client, "first@city.example.jp")).status_code == 303
    again = await client.get("/admin/proposals", params={"qe": sealed})
    assert 'value="買い物"' in again.text
    later = time.time() + SEARCH_TTL + 60
    monkeypatch.setattr(time, "time", lambda: later)
    expired = await client.get("/admin/proposals", params={"qe": sealed})
    assert 'value="買い物"' not in expired.text
