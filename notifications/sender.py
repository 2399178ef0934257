"""Claims due outbox rows, renders them in the recipient's language, sends, and erases."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import i18n
from core.crypto import FieldCipher
from core.db import utcnow
from core.logs import log
from core.settings import Settings
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import CC_KEY, CONTEXT, RECIPIENT
from notifications.transport import PermanentError, TransientError, Transport

logger = logging.getLogger("ouen.mail")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
LEASE = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(days=3)
BASE_DELAY = 15.0  # seconds: the first retry comes within 30 s
MAX_DELAY = 3600.0


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Capped exponential backoff with ±20 % jitter so retries do not arrive in step."""
    base = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * (rng or random.Random()).uniform(0.8, 1.2))  # noqa: S311


class EmailRenderer:
    """Renders templates/email/<name>/{subject.txt, body.txt, body.html}."""

    def __init__(self, directory: Path = TEMPLATES, contact: dict[str, str] | None = None
                 ) -> None:
        loader = jinja2.FileSystemLoader(str(directory))
        self._text = jinja2.Environment(loader=loader, autoescape=False)  # noqa: S701 - plain text
        self._html = jinja2.Environment(loader=loader, autoescape=True)
        self._contact = contact or {}

    @classmethod
    def for_settings(cls, settings: Settings) -> EmailRenderer:
        """With the contact block every email to the public ends with (OUEN_CONTACT_*)."""
        return cls(contact={"name": settings.contact_name, "phone": settings.contact_phone,
                            "email": settings.contact_email, "hours": settings.contact_hours,
                            "my_url": f"{settings.public_base}/my"})

    def render(self, template: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str]:
        lang = locale if locale in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
        ctx = {**context, "_": i18n.make_gettext(lang), "lang": lang, "contact": self._contact}
        subject = self._text.get_template(f"{template}/subject.txt").render(ctx)
        text = self._text.get_template(f"{template}/body.txt").render(ctx)
        html = self._html.get_template(f"{template}/body.html").render(ctx)
        # A subject is a header: one line, no control characters.
        subject = " ".join(subject.split())
        return subject, text, html


def build_message(
    *, sender: str, recipient: str, message_id: str, subject: str, text: str, html: str,
    now: datetime, cc: str | None = None,
) -> EmailMessage:
    """Addresses go through Address(), which refuses CR/LF and other header injection."""
    message = EmailMessage()
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(addr_spec=recipient)
    if cc:
        message["Cc"] = Address(addr_spec=cc)
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now.replace(tzinfo=UTC), usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


@dataclass
class OutboxSender:
    sessions: async_sessionmaker[AsyncSession]
    cipher: FieldCipher
    transport: Transport
    sender: str
    skip_locked: bool
    renderer: EmailRenderer

    async def _claim(self, now: datetime, batch: int) -> list[int]:
        due = or_(
            and_(col(OutboxMessage.status) == OutboxStatus.PENDING,
                 col(OutboxMessage.next_attempt_at) <= now),
            # A worker that died mid-send left its lease behind; take the row over.
            and_(col(OutboxMessage.status) == OutboxStatus.SENDING,
                 col(OutboxMessage.claimed_until) < now),
        )
        query = select(OutboxMessage).where(due).order_by(col(OutboxMessage.id)).limit(batch)
        if self.skip_locked:
            query = query.with_for_update(skip_locked=True)
        async with self.sessions() as session, session.begin():
            rows = list((await session.exec(query)).all())
            for row in rows:
                row.status = OutboxStatus.SENDING
                row.claimed_until = now + LEASE
                session.add(row)
        return [row.id for row in rows if row.id is not None]

    async def process_due(self, now: datetime | None = None, batch: int = 50) -> int:
        """Send what is due; returns how many were delivered."""
        now = now or utcnow()
        delivered = 0
        for message_id in await self._claim(now, batch):
            try:
                delivered += await self._deliver(message_id, now)
            except Exception:  # the rest of the batch still goes out
                # Its lease runs out and another pass takes it over.
                logger.exception("outbox message failed", extra={"fields": {
                    "outbox_id": message_id}})
        return delivered

    async def _deliver(self, row_id: int, now: datetime) -> int:
        # Read in one short transaction and update in another: the network send must not
        # hold a database connection (SQLite has only one). The lease protects the row.
        async with self.sessions() as session:
            row = await session.get(OutboxMessage, row_id)
            if row is None or row.recipient_enc is None or row.context_enc is None:
                return 0
            try:
                message = self._build(row, now)
                outcome: str | None = None
            except Exception as exc:  # whatever it is, this message alone fails
                # A malformed address (HeaderParseError), a template error, a context that
                # does not open: the message cannot be built now or later.
                outcome = f"cannot build the message: {type(exc).__name__}"
        if outcome is None:
            try:
                await self.transport.send(message)
            except TransientError as exc:
                return await self._record(row_id, now, None, str(exc))
            except PermanentError as exc:
                return await self._record(row_id, now, OutboxStatus.FAILED, str(exc))
            except Exception as exc:  # unforeseen: try again later
                return await self._record(row_id, now, None, type(exc).__name__)
            return await self._record(row_id, now, OutboxStatus.SENT, None)
        return await self._record(row_id, now, OutboxStatus.FAILED, outcome)

    def _build(self, row: OutboxMessage, now: datetime) -> EmailMessage:
        assert row.context_enc is not None and row.recipient_enc is not None
        context = json.loads(self.cipher.open(CONTEXT, row.context_enc, row.message_id))
        cc = context.pop(CC_KEY, None)
        subject, text, html = self.renderer.render(row.template, row.locale, context)
        return build_message(
            sender=self.sender,
            recipient=self.cipher.open(RECIPIENT, row.recipient_enc, row.message_id),
            message_id=row.message_id, subject=subject, text=text, html=html, now=now, cc=cc,
        )

    async def _record(self, row_id: int, now: datetime, outcome: OutboxStatus | None,
                      error: str | None) -> int:
        """The attempt's outcome: sent, failed, or (None) to be retried."""
        async with self.sessions() as session, session.begin():
            row = await session.get(OutboxMessage, row_id)
            if row is None:
                return 0
            if outcome is None:
                self._retry(row, now, error or "")
                return 0
            self._finish(row, outcome, now, error)
        level = logging.INFO if outcome == OutboxStatus.SENT else logging.ERROR
        details = {"reason": error} if error else {}
        log(logger, level, f"email {outcome}", outbox_id=row_id, **details)
        return 1 if outcome == OutboxStatus.SENT else 0

    def _retry(self, row: OutboxMessage, now: datetime, reason: str) -> None:
        row.attempts += 1
        if now - row.created_at > GIVE_UP_AFTER:
            self._finish(row, OutboxStatus.FAILED, now, f"gave up: {reason}")
            log(logger, logging.ERROR, "email given up", outbox_id=row.id, attempts=row.attempts)
            return
        row.status = OutboxStatus.PENDING
        row.claimed_until = None
        row.last_error = reason[:200]
        row.next_attempt_at = now + retry_delay(row.attempts)
        log(logger, logging.WARNING, "email deferred", outbox_id=row.id, attempts=row.attempts,
            reason=reason)

    @staticmethod
    def _finish(row: OutboxMessage, status: OutboxStatus, now: datetime, error: str | None) -> None:
        """Sent or abandoned: erase recipient and body, keep the delivery record."""
        row.status = status
        row.recipient_enc = None
        row.context_enc = None
        row.claimed_until = None
        row.last_error = error[:200] if error else None
        if status == OutboxStatus.SENT:
            row.sent_at = now

    async def run(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        """Poll until `stop` is set; errors are logged and the loop goes on."""
        while not stop.is_set():
            try:
                await self.process_due()
            except Exception:
                logger.exception("outbox pass failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
