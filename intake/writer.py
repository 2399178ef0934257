"""Group commit for proposals submitted through the public form.

A submission is four rows that land together or not at all: the proposal (contact data
encrypted), the hash of its email link, the confirmation email in the outbox, and an audit
event. Written one transaction per request, most of the time goes to per-statement
overhead, and on SQLite every request queues for the one writer connection (PITFALLS).
So the request prepares its rows (validation, encryption, the token: all CPU, no database)
and hands them to the `SubmissionWriter`, which writes everything that arrived while its
previous transaction was running as one transaction with one statement per table, then
answers each request. At low load a batch is a single submission and nothing waits; under
load batches grow by themselves. A request still answers only after its rows committed.
If a batch fails, its submissions are written again one at a time, so one bad row never
takes the others down; each request then gets its own outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.audit import Actor, AuditLog, Entry
from core.crypto import FieldCipher, hash_token, new_token
from core.db import utcnow
from core.logs import log
from core.models import RecordKey
from intake.models import Proposal, ProposalStatus, VerificationToken
from intake.services import TOKEN_VALIDITY, Submitted, proposal_row
from intake.validation import ProposalInput
from notifications.services import INSERT_MESSAGE, message_row

logger = logging.getLogger("ouen.intake")
_PROPOSAL: Table = Proposal.__table__  # type: ignore[attr-defined]
_TOKEN: Table = VerificationToken.__table__  # type: ignore[attr-defined]
# Built once, so they are compiled once; `sort_by_parameter_order` returns the new ids in
# the order of the rows even when many are inserted with one statement.
INSERT_PROPOSALS = insert(_PROPOSAL).returning(_PROPOSAL.c.id, sort_by_parameter_order=True)
INSERT_TOKENS = insert(_TOKEN)
INSERT_KEYS = insert(RecordKey.__table__)  # type: ignore[attr-defined]
MAX_BATCH = 200


@dataclass(frozen=True)
class PreparedSubmission:
    """Everything a web submission writes, computed before touching the database."""

    key: dict[str, Any]
    proposal: dict[str, Any]
    token_hash: str
    expires_at: datetime
    message: dict[str, Any]
    audit: Entry


async def write_submissions(
    conn: AsyncConnection, audit: AuditLog, batch: Sequence[PreparedSubmission]
) -> list[Submitted]:
    """Insert a batch of prepared submissions inside the caller's transaction."""
    await conn.execute(INSERT_KEYS, [item.key for item in batch])
    ids: list[int] = list(
        (await conn.execute(INSERT_PROPOSALS, [item.proposal for item in batch])).scalars()
    )
    await conn.execute(INSERT_TOKENS, [
        {"proposal_id": proposal_id, "token_hash": item.token_hash,
         "expires_at": item.expires_at}
        for proposal_id, item in zip(ids, batch, strict=True)
    ])
    # The email names its proposal, so a purge of the proposal withdraws it too.
    await conn.execute(INSERT_MESSAGE, [
        {**item.message, "object_id": proposal_id}
        for proposal_id, item in zip(ids, batch, strict=True)
    ])
    await audit.append(conn, [
        replace(item.audit, object_id=proposal_id)
        for proposal_id, item in zip(ids, batch, strict=True)
    ])
    return [Submitted(ref=item.proposal["ref"], proposal_id=proposal_id)
            for proposal_id, item in zip(ids, batch, strict=True)]


Waiting = tuple[PreparedSubmission, "asyncio.Future[Submitted]"]


class SubmissionWriter:
    """Writes prepared submissions with group commit (see the module's docstring)."""

    def __init__(self, engine: AsyncEngine, audit: AuditLog, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._audit = audit
        self._max_batch = max_batch
        self._pending: list[Waiting] = []
        self._task: asyncio.Task[None] | None = None
        self.transactions = 0  # how many transactions were written (batches and retries)

    async def submit(self, item: PreparedSubmission) -> Submitted:
        """Write `item` (with whatever else is waiting) and return once it has committed."""
        future: asyncio.Future[Submitted] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        # A client that goes away does not undo its submission: it is written all the same.
        return await asyncio.shield(future)

    async def close(self) -> None:
        """Wait for what is being written (at shutdown)."""
        if self._task is not None:
            await self._task

    async def _drain(self) -> None:
        # No await between the emptiness check and returning: a submit() that sees this task
        # still running is always picked up by the loop below.
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            await self._write(batch)

    async def _write(self, batch: list[Waiting]) -> None:
        try:
            self.transactions += 1
            async with self._engine.begin() as conn:
                results = await write_submissions(conn, self._audit, [item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1:
                log(logger, logging.WARNING, "submission batch failed; writing one at a time",
                    size=len(batch), error=type(exc).__name__)
                for one in batch:
                    await self._write([one])
                return
            future = batch[0][1]
            if not future.done():
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def prepare_submission(
    cipher: FieldCipher, data: ProposalInput, *, ref: str, locale: str, base_url: str,
    sender_domain: str, email_bidx: str | None = None, ip: str = "",
    now: datetime | None = None,
) -> PreparedSubmission:
    """The rows of one web submission: an unverified proposal, the hash of a fresh email
    link token, the confirmation email (holding the link) and the audit event."""
    now = now or utcnow()
    token = new_token()
    key, proposal = proposal_row(cipher, data, ref=ref, status=ProposalStatus.UNVERIFIED,
                                 locale=locale, source="web", now=now, email_bidx=email_bidx)
    return PreparedSubmission(
        key=key, proposal=proposal,
        token_hash=hash_token(token),
        expires_at=now + TOKEN_VALIDITY,
        message=message_row(
            cipher, template="proposal_verify", locale=locale, recipient=data.email,
            context={"ref": ref, "verify_url": f"{base_url}/verify/{token}",
                     "catchphrase": data.catchphrase,
                     "valid_hours": int(TOKEN_VALIDITY.total_seconds() // 3600)},
            sender_domain=sender_domain, now=now, object_type="proposal",
        ),
        audit=Entry("proposal.submitted", Actor("applicant", ip=ip), object_type="proposal",
                    detail=f"source=web locale={locale}", at=now),
    )
