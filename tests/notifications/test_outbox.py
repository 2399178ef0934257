"""The outbox: delivery after commit, retries with backoff, erasure after sending."""

from __future__ import annotations

import random
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from sqlmodel import select

from app import build_worker
from core.db import utcnow
from core.settings import Settings
from notifications.models import OutboxMessage
from notifications.sender import build_message, retry_delay
from notifications.services import enqueue_email
from notifications.transport import (
    FileTransport,
    PermanentError,
    SmtpTransport,
    TransientError,
)
from notifications.worker import Worker
from tests.conftest import SmtpCapture
from tests.factories import make_staff, submit


async def rows(app: Litestar) -> list[OutboxMessage]:
    async with app.state.sessions() as session:
        return list((await session.exec(select(OutboxMessage))).all())


async def test_smtp_down_at_submit_then_delivered_exactly_once(
    client: Any, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    smtp.stop()
    response = await submit(client)
    assert response.status_code == 303  # the citizen is not bothered by our mail trouble
    now = utcnow()
    assert await worker.sender.process_due(now=now) == 0
    [row] = await rows(app)
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert timedelta(seconds=5) < row.next_attempt_at - now <= timedelta(seconds=30)
    assert row.recipient_enc is not None  # kept until delivered

    smtp.start()
    assert await worker.sender.process_due(now=now) == 0  # not due yet
    later = now + timedelta(seconds=31)
    assert await worker.sender.process_due(now=later) == 1
    assert await worker.sender.process_due(now=later + timedelta(hours=1)) == 0
    assert len(smtp.messages) == 1
    [row] = await rows(app)
    assert row.status == "sent" and row.sent_at is not None
    assert row.recipient_enc is None and row.context_enc is None  # erased after sending
    assert smtp.messages[0]["Message-ID"] == row.message_id


async def test_gives_up_after_days_not_minutes(
    client: Any, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    smtp.stop()
    await submit(client)
    now = utcnow()
    for hours in (0, 1, 6, 24, 48):
        await worker.sender.process_due(now=now + timedelta(hours=hours, seconds=1))
    [row] = await rows(app)
    assert row.status == "pending" and row.attempts == 5
    await worker.sender.process_due(now=now + timedelta(days=3, hours=1))
    [row] = await rows(app)
    assert row.status == "failed" and row.recipient_enc is None and row.context_enc is None


def test_backoff_is_capped_exponential_with_jitter() -> None:
    rng = random.Random(7)
    first = retry_delay(1, rng)
    assert timedelta(seconds=12) <= first <= timedelta(seconds=18)
    assert retry_delay(2, rng) > first
    assert retry_delay(30, rng) <= timedelta(seconds=3600 * 1.2)
    assert len({retry_delay(3) for _ in range(20)}) > 1


async def test_stale_lease_is_taken_over(
    client: Any, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    await submit(client)
    async with app.state.sessions() as session, session.begin():
        row = (await session.exec(select(OutboxMessage))).one()
        row.status = "sending"  # a worker died mid-send
        row.claimed_until = utcnow() - timedelta(seconds=1)
        session.add(row)
    assert await worker.sender.process_due() == 1
    assert len(smtp.messages) == 1


async def test_two_workers_do_not_send_twice(
    client: Any, app: Litestar, settings: Settings, smtp: SmtpCapture
) -> None:
    for n in range(6):
        await submit(client, email=f"person{n}@example.jp")
    a = build_worker(settings, app.state.sessions, app.state.cipher)
    b = build_worker(settings, app.state.sessions, app.state.cipher)
    import asyncio

    sent = await asyncio.gather(a.sender.process_due(batch=3), b.sender.process_due(batch=3))
    sent2 = await asyncio.gather(a.sender.process_due(), b.sender.process_due())
    assert sum(sent) + sum(sent2) == 6
    assert sorted(str(m["To"]) for m in smtp.messages) == sorted(
        f"person{n}@example.jp" for n in range(6)
    )


class RefusingTransport:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def send(self, message: EmailMessage) -> None:
        raise self.error


async def test_permanent_failure_is_not_retried(
    client: Any, app: Litestar, settings: Settings
) -> None:
    await submit(client)
    worker = build_worker(settings, app.state.sessions, app.state.cipher,
                          transport=RefusingTransport(PermanentError("server replied (550)")))
    assert await worker.sender.process_due() == 0
    [row] = await rows(app)
    assert row.status == "failed" and row.recipient_enc is None
    assert row.last_error == "server replied (550)"


class PartialRefusalHandler:
    """An SMTP server refusing one recipient of two: aiosmtplib does not raise for that."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("full"):
            return "452 4.2.2 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


async def test_a_refused_addressee_is_an_error_but_a_refused_copy_is_not(
    settings: Settings,
) -> None:
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    port = free_port()
    controller = Controller(PartialRefusalHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        transport = SmtpTransport(settings.with_changes(smtp_port=port))
        message = build_message(sender="ouen@city.example.jp", recipient="ok@example.jp",
                                message_id="<x@y>", subject="s", text="t", html="<p>h</p>",
                                now=utcnow())
        message["Cc"] = "full@example.jp"
        await transport.send(message)  # delivered to ok@; sending again would duplicate it
        refused = build_message(sender="ouen@city.example.jp", recipient="full@example.jp",
                                message_id="<z@y>", subject="s", text="t", html="<p>h</p>",
                                now=utcnow())
        refused["Cc"] = "ok@example.jp"
        with pytest.raises(TransientError, match="452"):
            await transport.send(refused)
    finally:
        controller.stop()


async def test_unreachable_server_is_transient(settings: Settings) -> None:
    from tests.conftest import free_port

    transport = SmtpTransport(settings.with_changes(smtp_port=free_port(), smtp_timeout=2.0))
    message = build_message(sender="a@b.jp", recipient="c@d.jp", message_id="<1@b.jp>",
                            subject="s", text="t", html="h", now=utcnow())
    with pytest.raises(TransientError):
        await transport.send(message)


@pytest.mark.parametrize("bad", ["victim@example.jp\r\nBcc: x@evil.example",
                                 "victim@example.jp\nBcc: x@evil.example"])
def test_header_injection_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        build_message(sender="ouen@city.example.jp", recipient=bad, message_id="<1@b.jp>",
                      subject="s", text="t", html="h", now=utcnow())


async def test_file_transport_writes_eml(tmp_path: Path) -> None:
    message = build_message(sender="a@b.jp", recipient="c@d.jp", message_id="<abc@b.jp>",
                            subject="件名", text="本文", html="<p>本文</p>", now=utcnow())
    await FileTransport(str(tmp_path)).send(message)
    written = [p.read_bytes() for p in tmp_path.iterdir()]  # noqa: ASYNC240 - a test
    assert len(written) == 1 and b"c@d.jp" in written[0]


async def test_enqueue_encrypts_recipient_and_context(
    client: Any, app: Litestar
) -> None:
    async with app.state.sessions() as session, session.begin():
        await enqueue_email(session, app.state.cipher, template="proposal_verify",
                            locale="ja", recipient="secret@example.jp",
                            context={"verify_url": "https://ouen.test/verify/TOKEN123"},
                            sender_domain="city.example.jp")
    [row] = await rows(app)
    assert "secret@example.jp" not in (row.recipient_enc or "")
    assert "TOKEN123" not in (row.context_enc or "")
    assert row.message_id.endswith("@city.example.jp>")


async def test_a_message_that_cannot_be_built_fails_alone(
    client: Any, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    """A coordinator whose address was stored malformed (`poison@example.invalid.`, from
    before addresses were checked everywhere) is in Cc of an introduction: that message is
    marked failed with its reason, the admins see it on the dashboard, and the verification
    email queued after it is delivered."""
    async with app.state.sessions() as session, session.begin():
        await enqueue_email(session, app.state.cipher, template="match_introduction",
                            locale="ja", recipient="applicant@example.jp",
                            context={"proposal": {}, "other": {}},
                            cc="poison@example.invalid.", sender_domain="city.example.jp")
    await submit(client)
    assert await worker.sender.process_due() == 1
    assert [str(m["To"]) for m in smtp.messages] == ["taro.kobe@example.jp"]
    poisoned, delivered = sorted(await rows(app), key=lambda row: row.id or 0)
    assert poisoned.status == "failed" and delivered.status == "sent"
    assert poisoned.last_error == "cannot build the message: HeaderParseError"
    assert poisoned.recipient_enc is None and poisoned.context_enc is None
    assert await worker.sender.process_due() == 0  # not re-leased, not retried

    admin, _ = await make_staff(app, "admin", email="chief.mail@city.example.jp")
    async with app.state.sessions() as session, session.begin():
        token = await app.state.session_store.create(session, admin.id, "full")
    client.cookies.set("ouen_staff", token, path="/admin")
    dashboard = (await client.get("/admin")).text
    assert "送信できなかったメール" in dashboard and "match_introduction: 1" in dashboard
