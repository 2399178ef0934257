"""/my: people see, download, correct, withdraw and erase their own data without an account,
through a single-use emailed link; every step is a POST and an audit event."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar
from sqlmodel import col, select

from core.db import utcnow
from core.models import AuditEvent
from intake.contact import contact_value
from intake.models import Collaborator, Proposal, SelfServiceLink
from notifications.worker import Worker
from tests.conftest import SmtpCapture, csrf_of, started_of
from tests.factories import (
    COLLABORATOR_EMAIL,
    EMAIL,
    PHONE,
    make_collaborator,
    make_proposal,
    text_of,
)

MY_LINK = re.compile(r"https://ouen\.test/my/([A-Za-z0-9_\-]+)")


async def ask(client: httpx.AsyncClient, email: str, ref: str = "") -> httpx.Response:
    page = await client.get("/my")
    return await client.post("/my", data={"email": email, "ref": ref,
                                          "_csrf_token": csrf_of(page.text),
                                          "_started": started_of(page.text)})


async def link_for(client: httpx.AsyncClient, worker: Worker, smtp: SmtpCapture, email: str,
                   ref: str = "") -> str:
    before = len(smtp.messages)
    assert (await ask(client, email, ref)).headers["location"] == "/my/sent"
    await worker.sender.process_due()
    assert len(smtp.messages) == before + 1
    match = MY_LINK.search(text_of(smtp.messages[-1]))
    assert match
    return match.group(1)


async def open_session(client: httpx.AsyncClient, token: str) -> httpx.Response:
    page = await client.get(f"/my/{token}")
    assert page.status_code == 200
    return await client.post(f"/my/{token}", data={"_csrf_token": csrf_of(page.text)})


async def post(client: httpx.AsyncClient, path: str, **data: str) -> httpx.Response:
    page = await client.get("/my/data")
    return await client.post(path, data={"_csrf_token": csrf_of(page.text), **data})


async def actions(app: Litestar) -> list[tuple[str, str]]:
    async with app.state.sessions() as db:
        rows = (await db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    return [(e.action, e.actor) for e in rows]


async def test_the_same_answer_whether_or_not_the_details_match(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(app, status="in_contact")
    for email, ref in ((EMAIL, "OU-NONE-0000"), ("other@example.jp", proposal.ref), (EMAIL, "")):
        answer = await ask(client, email, ref)
        assert answer.status_code == 303 and answer.headers["location"] == "/my/sent"
    assert await worker.sender.process_due() == 0 and smtp.messages == []
    token = await link_for(client, worker, smtp, EMAIL, proposal.ref.lower())
    assert str(smtp.messages[-1]["To"]) == EMAIL
    received = text_of(smtp.messages[-1])  # with the 問い合わせ先 block every email ends with
    assert "078-555-0100" in received and "madoguchi@ouen-city.test" in received
    assert ("self_service.link_sent", "applicant") in await actions(app)
    sent = await client.get("/my/sent")
    assert sent.status_code == 200 and EMAIL not in sent.text
    # Opening the link only shows a button; mail scanners that follow it change nothing.
    for _ in range(3):
        assert (await client.get(f"/my/{token}")).status_code == 200
    opened = await open_session(client, token)
    assert opened.status_code == 303 and opened.headers["location"] == "/my/data"
    assert "ouen_my=" in opened.headers["set-cookie"] and "Path=/my" in opened.headers[
        "set-cookie"]
    page = await client.get("/my/data")
    assert page.status_code == 200 and PHONE in page.text and EMAIL in page.text
    assert page.headers["cache-control"] == "no-store"
    assert (await client.get(f"/my/{token}")).status_code == 410  # single use
    async with app.state.sessions() as db:
        [link] = (await db.exec(select(SelfServiceLink))).all()
    assert link.used_at is not None and token not in link.token_hash


async def test_download_correct_and_withdraw(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(app, status="seeking", body="灘区で買い物を手伝います。")
    await open_session(client, await link_for(client, worker, smtp, EMAIL, proposal.ref))
    download = await post(client, "/my/data/download")
    held = json.loads(download.content)
    assert held["contact"]["email"] == EMAIL and held["record"]["ref"] == proposal.ref
    assert held["record"]["status"] == "seeking" and held["introductions"] == []
    assert "attachment" in download.headers["content-disposition"]
    form = await client.get("/my/data/correct")
    assert form.status_code == 200 and 'value="0783225211"' in form.text
    refused = await post(client, "/my/data/correct", nickname="こうべ太郎", email=EMAIL,
                         phone="12", catchphrase="高齢者の買い物を手伝いたい", body="新しい本文")
    assert refused.status_code == 422 and 'value="12"' in refused.text
    assert "新しい本文" in refused.text
    saved = await post(client, "/my/data/correct", nickname="こうべ太郎", email=EMAIL,
                       phone="090-9999-0000", catchphrase="高齢者の買い物を手伝いたい",
                       body="灘区と東灘区で買い物を手伝います。")
    assert saved.status_code == 303
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
    assert row is not None and contact_value(app.state.cipher, row, "phone") == "09099990000"
    assert row.body == "灘区と東灘区で買い物を手伝います。"
    async with app.state.sessions() as db:
        corrected = (await db.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "person.corrected"))).one()
    assert corrected.detail == "fields=phone,body" and corrected.actor == "applicant"
    assert (await post(client, "/my/data/withdraw")).headers["location"].endswith("unconfirmed")
    assert (await post(client, "/my/data/withdraw", confirm="yes")).status_code == 303
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
    assert row is not None and row.status == "withdrawn" and row.closed_at is not None
    assert ("proposal.status_changed", "applicant") in await actions(app)
    assert "取り下げ" in (await client.get("/my/data")).text


async def test_erase_now(client: httpx.AsyncClient, app: Litestar, worker: Worker,
                         smtp: SmtpCapture) -> None:
    proposal = await make_proposal(app, status="completed", closed_at=utcnow())
    await open_session(client, await link_for(client, worker, smtp, EMAIL, proposal.ref))
    erased = await post(client, "/my/data/erase", confirm="yes")
    assert erased.status_code == 200 and proposal.ref in erased.text
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
    assert row is not None and row.erased_at is not None and row.email_enc is None
    assert (await client.get("/my/data")).status_code == 404  # the session ended
    assert ("person.erased", "applicant") in await actions(app)
    # Erased people cannot ask again: there is nothing left to match.
    assert (await ask(client, EMAIL, proposal.ref)).status_code == 303
    assert await worker.sender.process_due() == 0


async def test_collaborators_pause_retire_and_erase(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    helper = await make_collaborator(app)
    await open_session(client, await link_for(client, worker, smtp, COLLABORATOR_EMAIL))
    page = await client.get("/my/data")
    assert helper.ref in page.text and "須磨配送サービス" in page.text
    assert (await post(client, "/my/data/status", action="pause")).status_code == 303
    assert (await post(client, "/my/data/status", action="retire")).status_code == 303
    async with app.state.sessions() as db:
        row = await db.get(Collaborator, helper.id)
    assert row is not None and row.status == "retired" and row.left_at is not None
    assert ("collaborator.status_changed", f"collaborator:{helper.ref}") in await actions(app)
    assert (await post(client, "/my/data/erase", confirm="yes")).status_code == 200
    async with app.state.sessions() as db:
        row = await db.get(Collaborator, helper.id)
    assert row is not None and row.erased_at is not None and row.display_name_enc is None


async def test_links_expire_after_24_hours(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(app)
    token = await link_for(client, worker, smtp, EMAIL, proposal.ref)
    async with app.state.sessions() as db, db.begin():
        link = (await db.exec(select(SelfServiceLink))).one()
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.add(link)
    assert (await client.get(f"/my/{token}")).status_code == 410
    assert (await client.get("/my/data")).status_code == 404


@pytest.mark.parametrize("path", ["/my/data", "/my/data/print", "/my/data/correct"])
async def test_no_session_no_data(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404
