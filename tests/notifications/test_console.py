"""The console mail backend (development): each email is printed whole to standard output,
where the developer reads the link; the outbox treats that as delivered."""

from __future__ import annotations

import re
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

import pytest
from litestar import Litestar
from sqlmodel import select

from app import build_worker
from core.db import utcnow
from core.settings import Settings
from notifications.models import OutboxMessage
from notifications.sender import build_message
from notifications.transport import ConsoleTransport, create_transport
from tests.conftest import SmtpCapture
from tests.factories import submit


def printed(out: str) -> EmailMessage:
    message = message_from_string(out, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def test_console_backend_prints_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    transport = create_transport(Settings(mail_backend="console"))
    assert isinstance(transport, ConsoleTransport)
    await transport.send(build_message(
        sender="ouen@localhost", recipient="taro.kobe@example.jp", message_id="<c1@localhost>",
        subject="【応援】応募内容の確認", text="確認はこちら https://ouen.test/verify/abc",
        html="<p>確認</p>", now=utcnow()))
    out, err = capsys.readouterr()
    assert err == ""  # standard output, not the log stream
    message = printed(out)
    assert message["To"] == "taro.kobe@example.jp" and message["From"] == "ouen@localhost"
    assert message["Subject"] == "【応援】応募内容の確認"
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None and "https://ouen.test/verify/abc" in plain.get_content()
    assert message.get_body(preferencelist=("html",)) is not None


async def test_worker_on_console_backend_marks_sent_and_erases(
    client: Any, app: Litestar, settings: Settings, smtp: SmtpCapture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (await submit(client)).status_code == 303
    capsys.readouterr()
    worker = build_worker(settings.with_changes(mail_backend="console"), app.state.sessions,
                          app.state.cipher)
    assert await worker.sender.process_due() == 1
    message = printed(capsys.readouterr().out)
    assert message["To"] == "taro.kobe@example.jp" and "応募内容の確認" in message["Subject"]
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    assert re.search(r"https://ouen\.test/verify/[A-Za-z0-9_\-]{43}", plain.get_content())
    assert smtp.messages == []  # the relay was not used
    async with app.state.sessions() as session:
        row = (await session.exec(select(OutboxMessage))).one()
    assert row.status == "sent" and row.recipient_enc is None and row.context_enc is None
    assert message["Message-ID"] == row.message_id
