"""The SMTP TLS mode is enforced: a relay that cannot do what OUEN_SMTP_SECURITY asks gets
neither the message nor the password in the clear; the outbox keeps the email and retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from litestar import Litestar
from sqlmodel import select

from app import build_worker
from core.db import utcnow
from core.settings import Settings
from notifications.models import OutboxMessage
from notifications.sender import build_message
from notifications.transport import SmtpTransport, TransientError
from tests.conftest import SmtpCapture, free_port
from tests.factories import submit


@dataclass
class PlainRelay:
    """A relay without STARTTLS or TLS that accepts AUTH in the clear, and notes what it
    was told: the commands a client must not send to it when TLS was asked for."""

    port: int = field(default_factory=free_port)
    seen: list[str] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.seen.append(f"MAIL {address}")
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append(f"DATA {len(envelope.content)}")
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.seen.append(f"AUTH {data.login.decode()}:{data.password.decode()}")
        return AuthResult(success=True)


@pytest.fixture
def relay() -> Iterator[PlainRelay]:
    plain = PlainRelay()
    plain.controller = Controller(plain, hostname="127.0.0.1", port=plain.port,
                                  authenticator=plain.authenticate, auth_require_tls=False)
    plain.controller.start()
    yield plain
    plain.controller.stop()


def relay_settings(port: int, security: str) -> Settings:
    return Settings(env="test", mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=port,
                    smtp_security=security, smtp_username="ouen",
                    smtp_password="relay-password", smtp_timeout=3.0,
                    mail_from="ouen@city.example.jp")


def message() -> Any:
    return build_message(sender="ouen@city.example.jp", recipient="taro.kobe@example.jp",
                         message_id="<tls@city.example.jp>", subject="確認", text="本文",
                         html="<p>本文</p>", now=utcnow())


async def test_the_relay_sees_a_plaintext_client(relay: PlainRelay) -> None:
    """The control: with security `none` the password and the message do cross in the
    clear, so the relay would notice if the TLS modes below leaked them."""
    await SmtpTransport(relay_settings(relay.port, "none")).send(message())
    assert relay.seen[0] == "AUTH ouen:relay-password"
    assert relay.seen[1] == "MAIL ouen@city.example.jp" and relay.seen[2].startswith("DATA")


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_tls_modes_refuse_a_relay_without_tls(relay: PlainRelay, security: str) -> None:
    transport = SmtpTransport(relay_settings(relay.port, security))
    with pytest.raises(TransientError):
        await transport.send(message())
    assert relay.seen == []  # no password, no envelope, no message


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_outbox_keeps_and_retries_when_tls_is_unavailable(
    client: Any, app: Litestar, settings: Settings, smtp: SmtpCapture, security: str
) -> None:
    """The test SMTP capture offers no STARTTLS and speaks no TLS."""
    assert (await submit(client)).status_code == 303
    worker = build_worker(settings.with_changes(smtp_security=security), app.state.sessions,
                          app.state.cipher)
    now = utcnow()
    assert await worker.sender.process_due(now=now) == 0
    assert smtp.messages == []
    async with app.state.sessions() as session:
        row = (await session.exec(select(OutboxMessage))).one()
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert row.recipient_enc is not None and row.next_attempt_at > now  # kept for a retry
    # The same row goes out once the relay is reached without TLS being demanded.
    plain = build_worker(settings, app.state.sessions, app.state.cipher)
    assert await plain.sender.process_due(now=row.next_attempt_at) == 1
    assert [m["To"] for m in smtp.messages] == ["taro.kobe@example.jp"]
