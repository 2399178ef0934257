"""Writing emails into the outbox, inside the caller's transaction."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import FieldCipher
from core.db import utcnow
from core.settings import Settings
from notifications.models import OutboxMessage


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
) -> dict[str, Any]:
    """The outbox row for one email. Recipient, copy and context (which may hold a link
    token) are encrypted at rest, and erased once sent."""
    if cc:
        context = {**context, CC_KEY: cc}
    return dict(
        template=template,
        locale=locale,
        recipient_enc=cipher.encrypt(recipient),
        context_enc=cipher.encrypt(json.dumps(context, ensure_ascii=False)),
        message_id=_message_id(sender_domain),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
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
) -> None:
    """Queue one email; it is sent only if the caller's transaction commits."""
    row = message_row(cipher, template=template, locale=locale, recipient=recipient,
                      context=context, sender_domain=sender_domain, now=now or utcnow(), cc=cc)
    await (await session.connection()).execute(INSERT_MESSAGE, row)
