"""Where rendered emails go: an SMTP relay, `.eml` files, or the console (development)."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from core.settings import Settings


class TransientError(Exception):
    """Worth retrying later: connection problems, timeouts, 4xx replies."""


class PermanentError(Exception):
    """Retrying will not help: 5xx replies, authentication failures."""


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """aiosmtplib with the TLS mode spelled out: never opportunistic STARTTLS (PITFALLS)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        try:
            refused, _reply = await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username or None,
                password=s.smtp_password or None,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                timeout=s.smtp_timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise _by_code(min(codes) if codes else 550, "recipients refused") from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise PermanentError(f"authentication failed ({exc.code})") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(exc.code, "server replied") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransientError(type(exc).__name__) from exc
        # A send raises only when *every* recipient is refused; check the rest (PITFALLS).
        # Only the addressee counts: when just a copy (Cc) was refused the message has
        # reached its recipient, and sending it again would deliver it twice.
        to = {str(a.addr_spec).lower() for a in message["To"].addresses} if message["To"] else set()
        missed = [code for address, (code, _text) in refused.items() if address.lower() in to]
        if missed:
            raise _by_code(min(missed), "recipient refused")


def _by_code(code: int, what: str) -> Exception:
    text = f"{what} ({code})"
    return TransientError(text) if 400 <= code < 500 else PermanentError(text)


class FileTransport:
    """Writes each message as `<message-id>.eml` for development."""

    def __init__(self, directory: str) -> None:
        self._dir = Path(directory)

    async def send(self, message: EmailMessage) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        (self._dir / f"{name}.eml").write_bytes(bytes(message))


class ConsoleTransport:
    """Prints messages to standard output (development only; production refuses it)."""

    async def send(self, message: EmailMessage) -> None:
        sys.stdout.write(message.as_string() + "\n")
        sys.stdout.flush()


def create_transport(settings: Settings) -> Transport:
    if settings.mail_backend == "smtp":
        return SmtpTransport(settings)
    if settings.mail_backend == "file":
        return FileTransport(settings.mail_dir)
    return ConsoleTransport()
