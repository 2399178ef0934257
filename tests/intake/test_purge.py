"""The purge of what was never verified: run by the worker's schedule, and taking the queued
confirmation emails (address and dead link) with the records."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from litestar import Litestar
from sqlmodel import col, select

from app import build_worker
from core.db import utcnow
from core.models import AuditEvent
from core.settings import Settings
from intake.models import Collaborator, Proposal, VerificationToken
from intake.services import purge_unverified
from notifications.models import OutboxMessage
from notifications.services import enqueue_email
from notifications.worker import Worker
from tests.conftest import SmtpCapture
from tests.factories import submit
from tests.intake.factories import count, register

Client = httpx.AsyncClient


async def all_rows(app: Litestar, model: Any) -> list[Any]:
    async with app.state.sessions() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


async def age_proposal(app: Litestar, proposal_id: int, hours: float) -> None:
    """Make a proposal, and the email queued with it, `hours` old; the email is waiting
    for a retry (the relay was down), as one may for up to three days."""
    then = utcnow() - timedelta(hours=hours)
    async with app.state.sessions() as session, session.begin():
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        proposal.created_at = then
        session.add(proposal)
        messages = await session.exec(select(OutboxMessage).where(
            col(OutboxMessage.object_type) == "proposal",
            col(OutboxMessage.object_id) == proposal_id))
        for message in messages:
            message.created_at, message.attempts = then, 6
            message.next_attempt_at = utcnow() + timedelta(minutes=30)
            session.add(message)


async def test_the_worker_purges_on_its_schedule(
    client: Client, app: Litestar, settings: Settings, smtp: SmtpCapture
) -> None:
    assert (await submit(client, email="old@example.jp")).status_code == 303
    assert (await submit(client, email="recent@example.jp")).status_code == 303
    old, recent = await all_rows(app, Proposal)
    assert old.id is not None and recent.id is not None
    await age_proposal(app, old.id, 49)
    await age_proposal(app, recent.id, 47)

    worker = build_worker(settings, app.state.sessions, app.state.cipher)
    schedule = {name: seconds for name, seconds, _job in worker.jobs}
    assert schedule["purge_unverified"] <= 3600  # a stale record lives at most an hour more
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(200):  # the job runs as the worker starts; allow it up to 10 s
            if await count(app, Proposal) == 1:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running

    assert [p.id for p in await all_rows(app, Proposal)] == [recent.id]
    assert [t.proposal_id for t in await all_rows(app, VerificationToken)] == [recent.id]
    [kept] = await all_rows(app, OutboxMessage)
    assert kept.object_id == recent.id and kept.status == "pending"
    assert kept.recipient_enc is not None
    async with app.state.sessions() as session:
        events = (await session.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "retention.purge_unverified"))).all()
    assert [(e.object_type, e.detail) for e in events] == [("proposal", "deleted=1")]
    assert smtp.messages == []  # the old link was never mailed


async def test_purge_withdraws_unsent_emails_and_keeps_delivery_records(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    assert (await submit(client, email="mailed@example.jp")).status_code == 303
    assert await worker.sender.process_due() == 1  # sent, never confirmed
    assert (await submit(client, email="queued@example.jp")).status_code == 303
    assert (await register(client, email="helper@example.jp")).status_code == 303
    async with app.state.sessions() as session, session.begin():
        await enqueue_email(session, app.state.cipher, template="proposal_verify", locale="ja",
                            recipient="unrelated@example.jp",
                            context={"ref": "OU-AAAA-BBBB", "verify_url": "https://ouen.test/",
                                     "catchphrase": "x", "valid_hours": 48},
                            sender_domain="city.example.jp")
    mailed, queued = await all_rows(app, Proposal)
    [helper] = await all_rows(app, Collaborator)
    about = {(m.object_type, m.object_id, m.status) for m in await all_rows(app, OutboxMessage)}
    assert about == {("proposal", mailed.id, "sent"), ("proposal", queued.id, "pending"),
                     ("collaborator", helper.id, "pending"), (None, None, "pending")}

    audit = app.state.audit
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=47)) == 0
    assert await count(app, OutboxMessage) == 4
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=49),
                                      dry_run=True) == 3
    assert await count(app, OutboxMessage) == 4
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=49)) == 3

    left = await all_rows(app, OutboxMessage)
    assert [(m.object_type, m.object_id, m.status) for m in left] == [
        ("proposal", mailed.id, "sent"), (None, None, "pending")]
    assert left[0].recipient_enc is None  # the delivery record holds no address
    # Nothing queued for the purged records goes out, even days later.
    assert await worker.sender.process_due(now=utcnow() + timedelta(days=2)) == 1
    assert [str(m["To"]) for m in smtp.messages] == ["mailed@example.jp",
                                                     "unrelated@example.jp"]
