"""Writing emails into the outbox, inside the caller's transaction."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import FieldCipher
from core.db import utcnow
from core.settings import Settings
from notifications.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Mailer:
    """What a service needs to send email with links back to the site."""

    cipher: FieldCipher
    base_url: str
    sender_domain: str

    @classmethod
    def for_settings(cls, cipher: FieldCipher, settings: Settings) -> Mailer:
        return cls(cipher, settings.public_base, settings.sender_domain)


CC_KEY = "_cc"  # a copy recipient travels inside the encrypted context
# Sealed for the outbox and bound to the message: nothing else opens with these purposes.
RECIPIENT, CONTEXT = "outbox.recipient", "outbox.context"
INSERT_MESSAGE = insert(OutboxMessage.__table__)  # type: ignore[attr-defined]


def _message_id(domain: str) -> str:
    return f"<{secrets.token_hex(16)}@{domain or 'ouen.invalid'}>"


def message_row(
    cipher: FieldCipher,
    *,
    template: str,
    locale: str,
    recipient: str,
    context: dict[str, Any],
    sender_domain: str,
    now: datetime,
    cc: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> dict[str, Any]:
    """The outbox row for one email. Recipient, copy and context (which may hold a link
    token) are encrypted at rest, and erased once sent. `object_type` and `object_id` name
    the record the email is about (see `withdraw_unsent`)."""
    if cc:
        context = {**context, CC_KEY: cc}
    message_id = _message_id(sender_domain)
    return dict(
        template=template,
        locale=locale,
        recipient_enc=cipher.seal(RECIPIENT, recipient, message_id),
        context_enc=cipher.seal(CONTEXT, json.dumps(context, ensure_ascii=False), message_id),
        message_id=message_id,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        object_type=object_type,
        object_id=object_id,
    )


async def enqueue_email(
    session: AsyncSession,
    cipher: FieldCipher,
    *,
    template: str,
    locale: str,
    recipient: str,
    context: dict[str, Any],
    sender_domain: str,
    now: datetime | None = None,
    cc: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> None:
    """Queue one email; it is sent only if the caller's transaction commits."""
    row = message_row(cipher, template=template, locale=locale, recipient=recipient,
                      context=context, sender_domain=sender_domain, now=now or utcnow(), cc=cc,
                      object_type=object_type, object_id=object_id)
    await (await session.connection()).execute(INSERT_MESSAGE, row)


UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


async def withdraw_unsent(
    session: AsyncSession, object_type: str, object_ids: Sequence[int]
) -> int:
    """Delete the emails about these records that have not gone out yet (queued, or being
    retried for up to three days), in the caller's transaction; returns how many. Sent and
    failed rows stay: they are delivery records, their recipient already erased. A row a
    worker holds at this moment may still go out once; its outcome then finds no row."""
    if not object_ids:
        return 0
    result = await session.exec(delete(OutboxMessage).where(
        col(OutboxMessage.object_type) == object_type,
        col(OutboxMessage.object_id).in_(object_ids),
        col(OutboxMessage.status).in_(UNSENT),
    ))
    return int(result.rowcount)


async def rewrap_outbox(session: AsyncSession, cipher: FieldCipher) -> int:
    """Seal the recipients and contexts of emails not yet sent again under the newest data
    key (sent ones are erased already)."""
    rows = (await session.exec(select(OutboxMessage).where(
        col(OutboxMessage.recipient_enc).is_not(None)))).all()
    stale = [m for m in rows if cipher.key_of(m.recipient_enc or "") != cipher.current_key]
    for message in stale:
        message.recipient_enc = cipher.rewrap(RECIPIENT, message.recipient_enc or "",
                                              message.message_id)
        message.context_enc = cipher.rewrap(CONTEXT, message.context_enc or "",
                                            message.message_id)
        session.add(message)
    return len(stale)


async def purge_delivery_records(session: AsyncSession, before: datetime,
                                 dry_run: bool = False) -> int:
    """Delivery records of emails sent or given up before `before` (their address and text
    were erased when they went; the row itself goes after OUEN_RETENTION_MAIL_DAYS)."""
    ended = (or_(and_(col(OutboxMessage.status) == OutboxStatus.SENT,
                      col(OutboxMessage.sent_at) < before),
                 and_(col(OutboxMessage.status) == OutboxStatus.FAILED,
                      col(OutboxMessage.created_at) < before)),)
    if dry_run:
        found = await session.exec(select(func.count()).select_from(OutboxMessage)
                                   .where(*ended))
        return int(found.one())
    result = await session.exec(delete(OutboxMessage).where(*ended))
    return int(result.rowcount)
