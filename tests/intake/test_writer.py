"""Group commit of web submissions (intake/writer.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from core.db import create_engine
from core.models import AuditEvent
from intake.models import Proposal, VerificationToken
from intake.services import new_reference
from intake.validation import validate_proposal
from intake.writer import PreparedSubmission, SubmissionWriter, prepare_submission
from notifications.models import OutboxMessage
from tests.conftest import VALID_FORM
from tests.factories import open_form
from tests.intake.factories import count

Client = httpx.AsyncClient


def prepared(app: Litestar, email: str = "taro@example.jp", ref: str = "") -> PreparedSubmission:
    data = validate_proposal({**VALID_FORM, "email": email}).data
    assert data is not None
    return prepare_submission(app.state.cipher, data, ref=ref or new_reference(), locale="ja",
                              base_url="https://ouen.test", sender_domain="ouen.test",
                              ip="192.0.2.7")


async def test_concurrent_submissions_share_transactions_and_all_land(
    app: Litestar, client: Client
) -> None:
    # Thirty people, thirty forms: a form's start stamp admits one proposal.
    forms = []
    for i in range(30):
        csrf, started = await open_form(client)
        forms.append({**VALID_FORM, "_csrf_token": csrf, "_started": started,
                      "email": f"p{i}@example.jp"})
    answers = await asyncio.gather(*(
        client.post("/apply/submit", data=form, follow_redirects=False) for form in forms))
    assert [a.status_code for a in answers] == [303] * 30
    assert await count(app, Proposal) == 30
    assert await count(app, VerificationToken) == 30
    assert await count(app, OutboxMessage) == 30
    writer: SubmissionWriter = app.state.submissions
    assert writer.transactions < 30  # several submissions went into one transaction
    async with app.state.sessions() as session:
        events = list((await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "proposal.submitted"))).all())
        ids = {int(e.object_id) for e in events}
        proposals = set((await session.exec(select(Proposal.id))).all())
        tokens = set((await session.exec(select(VerificationToken.proposal_id))).all())
        refs = {p.id: p.ref for p in (await session.exec(select(Proposal))).all()}
        messages = list((await session.exec(select(OutboxMessage))).all())
        result = await app.state.audit.verify(session)
    assert ids == proposals == tokens  # each event and token names its own proposal
    # ... and so does each email, the one holding that proposal's reference and link.
    cipher = app.state.cipher
    assert [(m.object_type, refs.get(m.object_id or 0)) for m in messages] == [
        ("proposal",
         json.loads(cipher.open("outbox.context", m.context_enc or "", m.message_id))["ref"])
        for m in messages]
    assert {m.object_id for m in messages} == proposals
    assert result.ok and result.checked == 30


async def test_one_bad_submission_does_not_take_its_batch_down(
    app: Litestar, client: Client
) -> None:
    writer: SubmissionWriter = app.state.submissions
    first = await writer.submit(prepared(app))
    # Queued together, so written as one batch: the duplicate reference fails that batch,
    # then each is written alone and only the duplicate is refused.
    good, clash, also_good = prepared(app), prepared(app, ref=first.ref), prepared(app)
    results = await asyncio.gather(writer.submit(good), writer.submit(clash),
                                   writer.submit(also_good), return_exceptions=True)
    assert isinstance(results[1], IntegrityError)
    assert writer.transactions == 1 + 1 + 3  # the first; the failed batch; each one alone
    assert not isinstance(results[0], BaseException) and not isinstance(results[2], BaseException)
    assert await count(app, Proposal) == 3
    assert await count(app, VerificationToken) == 3
    assert await count(app, OutboxMessage) == 3  # nothing of the refused one was kept
    async with app.state.sessions() as session:
        assert (await app.state.audit.verify(session)).checked == 3


async def test_a_client_that_goes_away_still_has_its_submission_written(
    app: Litestar, client: Client
) -> None:
    writer: SubmissionWriter = app.state.submissions
    waiting = asyncio.create_task(writer.submit(prepared(app)))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await writer.close()
    assert await count(app, Proposal) == 1
    assert await count(app, OutboxMessage) == 1


async def test_database_down_answers_503_keeps_what_was_typed_and_nothing_half_written(
    app: Litestar, client: Client, tmp_path: Path
) -> None:
    writer: SubmissionWriter = app.state.submissions
    broken_engine = _unusable_engine(app, tmp_path)
    broken = SubmissionWriter(broken_engine, app.state.audit)
    app.state.submissions = broken
    try:
        csrf, started = await open_form(client)
        answer = await client.post(
            "/apply/submit", data={**VALID_FORM, "_csrf_token": csrf, "_started": started},
            follow_redirects=False)
    finally:
        app.state.submissions = writer
    # 503, and the confirmation step again with what was typed (issue 16: a fault is not
    # a 500, and nothing typed is lost); nothing stored.
    assert answer.status_code == 503
    assert "一時的にサービスを利用できない" in answer.text
    assert VALID_FORM["catchphrase"] in answer.text
    assert await count(app, Proposal) == 0
    await broken_engine.dispose()


def _unusable_engine(app: Litestar, tmp_path: Path) -> AsyncEngine:
    """SQLite: a database without our tables; PostgreSQL: nothing listening."""
    if app.state.engine.dialect.name == "sqlite":
        return create_engine(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    return create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
