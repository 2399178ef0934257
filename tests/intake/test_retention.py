"""Retention (core/retention.py): every rule erases what it promises, when it promises, on
both databases; what remains is a statistic; on SQLite nothing erased stays in any file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlmodel import col, select

from admin.models import CaseNote, ContactEntry, ProposalTransition
from app import build_worker
from core.db import utcnow
from core.models import AuditEvent, RecordKey
from core.settings import Settings
from intake.models import Collaborator, Proposal, ProposalStatus
from intake.search import find
from notifications.models import OutboxMessage, OutboxStatus
from operations import run_retention
from tests.factories import make_collaborator, make_proposal, make_staff

CANARIES = ("みなとカナリア太郎", "canary.kobe@example.jp", "0785550123", "カナリア食堂をひらく",
            "長田区カナリア町3丁目の空き店舗で")


async def run(app: Litestar, settings: Settings, **changes: Any) -> dict[str, int]:
    return await run_retention(settings.with_changes(**changes), app.state.sessions,
                               app.state.cipher, app.state.audit)


async def canary_case(app: Litestar, status: str, closed_days_ago: float, **extra: Any
                      ) -> Proposal:
    """A closed case full of recognisable values, with staff texts that quote them."""
    staff, _ = await make_staff(app, "coordinator", email=f"c{status}@city.example.jp")
    closed = utcnow() - timedelta(days=closed_days_ago)
    proposal = await make_proposal(
        app, status=status, closed_at=closed, catchphrase=CANARIES[3],
        body=f"{CANARIES[4]}子ども食堂を。連絡は{CANARIES[2]}まで。", org_name="カナリア会",
        contact={"nickname": CANARIES[0], "email": CANARIES[1], "phone": CANARIES[2]},
        created_at=closed - timedelta(days=30), **extra)
    async with app.state.sessions() as db, db.begin():
        db.add(ContactEntry(proposal_id=proposal.id or 0, staff_id=staff.id or 0,
                            channel="phone", at=closed, outcome="reached",
                            summary=f"{CANARIES[0]}さんに{CANARIES[2]}で電話。"))
        db.add(CaseNote(proposal_id=proposal.id or 0, staff_id=staff.id or 0, at=closed,
                        text=f"メールは{CANARIES[1]}、名前は{CANARIES[0]}。"))
        db.add(ProposalTransition(proposal_id=proposal.id or 0, staff_id=staff.id,
                                  from_status=ProposalStatus.ACTIVE,
                                  to_status=ProposalStatus(status), at=closed,
                                  reason=f"{CANARIES[0]}さん本人の希望"))
    return proposal


async def reload(app: Litestar, proposal: Proposal) -> Proposal:
    async with app.state.sessions() as db:
        row: Proposal | None = await db.get(Proposal, proposal.id)
    assert row is not None
    return row


async def texts_of(app: Litestar, proposal_id: int | None) -> list[str]:
    async with app.state.sessions() as db:
        texts = [e.summary for e in (await db.exec(select(ContactEntry).where(
            col(ContactEntry.proposal_id) == proposal_id))).all()]
        texts += [n.text for n in (await db.exec(select(CaseNote).where(
            col(CaseNote.proposal_id) == proposal_id))).all()]
        texts += [t.reason for t in (await db.exec(select(ProposalTransition).where(
            col(ProposalTransition.proposal_id) == proposal_id))).all()]
    return texts


async def test_a_closed_case_past_its_period_keeps_only_a_statistic(
    client: httpx.AsyncClient, app: Litestar, settings: Settings
) -> None:
    old = await canary_case(app, "completed", 400)
    recent = await make_proposal(app, status="declined", closed_at=utcnow() - timedelta(days=300),
                                 ref="OU-RECENT-0001")
    counts = await run(app, settings)
    assert counts["closed"] == 1
    gone = await reload(app, old)
    assert gone.erased_at is not None and gone.key_id is None
    assert (gone.nickname_enc, gone.email_enc, gone.phone_enc, gone.email_bidx,
            gone.org_name) == (None, None, None, None, None)
    assert (gone.catchphrase, gone.body) == ("", "")
    assert (gone.ref, gone.status, gone.category, gone.ward) == (old.ref, "completed",
                                                                 old.category, old.ward)
    texts = await texts_of(app, old.id)
    assert len(texts) == 3 and all("[…]" in t for t in texts)
    assert not any(c in t for t in texts for c in CANARIES)
    async with app.state.sessions() as db:
        assert await db.get(RecordKey, old.key_id) is None
        ids, _ = await find(db, [], "カナリア", after=None, oldest=True, limit=5)
        assert ids == []
        events = (await db.exec(select(AuditEvent).where(col(AuditEvent.action).in_(
            ["person.erased", "retention.run"])).order_by(col(AuditEvent.id)))).all()
    assert [(e.action, e.object_id) for e in events] == [("person.erased", str(old.id)),
                                                          ("retention.run", "")]
    assert "closed=1" in events[1].detail and "spam=0" in events[1].detail
    kept = await reload(app, recent)
    assert kept.erased_at is None and kept.email_enc is not None
    assert (await run(app, settings))["closed"] == 0  # erased once


async def test_each_rule_counts_from_its_own_moment(
    client: httpx.AsyncClient, app: Litestar, settings: Settings
) -> None:
    spam = await make_proposal(app, status="spam", closed_at=utcnow() - timedelta(days=31),
                               ref="OU-SPAM-00001")
    young_spam = await make_proposal(app, status="spam", ref="OU-SPAM-00002",
                                     closed_at=utcnow() - timedelta(days=29))
    reopened = await make_proposal(app, status="in_contact", closed_at=None, ref="OU-OPEN-0001",
                                   created_at=utcnow() - timedelta(days=800))
    retired = await make_collaborator(app, status="retired", ref="CO-RETIRED-01",
                                      left_at=utcnow() - timedelta(days=366))
    paused = await make_collaborator(app, status="paused", ref="CO-PAUSED-001")
    dry = await run_retention(settings, app.state.sessions, app.state.cipher, app.state.audit,
                              dry_run=True)
    assert (dry["spam"], dry["retired"], dry["closed"]) == (1, 1, 0)
    assert (await reload(app, spam)).erased_at is None  # a dry run changes nothing
    counts = await run(app, settings)
    assert (counts["spam"], counts["retired"], counts["closed"]) == (1, 1, 0)
    assert (await reload(app, spam)).erased_at is not None
    assert (await reload(app, young_spam)).erased_at is None
    assert (await reload(app, reopened)).erased_at is None
    async with app.state.sessions() as db:
        gone = await db.get(Collaborator, retired.id)
        still = await db.get(Collaborator, paused.id)
    assert gone is not None and gone.erased_at is not None and gone.display_name_enc is None
    assert gone.intro == "" and gone.offers == retired.offers  # offers stay as statistics
    assert still is not None and still.erased_at is None
    # 0 means at the next purge: the young spam goes too.
    assert (await run(app, settings, retention_spam_days=0))["spam"] == 1


async def test_sent_mail_records_and_ended_links_go(
    client: httpx.AsyncClient, app: Litestar, settings: Settings
) -> None:
    now = utcnow()
    async with app.state.sessions() as db, db.begin():
        for n, (status, sent) in enumerate(((OutboxStatus.SENT, now - timedelta(days=8)),
                                            (OutboxStatus.SENT, now - timedelta(days=6)),
                                            (OutboxStatus.PENDING, None))):
            db.add(OutboxMessage(template="proposal_verify", locale="ja",
                                 message_id=f"<m{n}@x>", status=status, attempts=1,
                                 next_attempt_at=now, created_at=now - timedelta(days=9),
                                 sent_at=sent))
    counts = await run(app, settings)
    assert counts["mail"] == 1
    async with app.state.sessions() as db:
        left = sorted(m.message_id for m in (await db.exec(select(OutboxMessage))).all())
    assert left == ["<m1@x>", "<m2@x>"]


async def test_the_worker_runs_every_rule_daily(app: Litestar, settings: Settings,
                                               client: httpx.AsyncClient) -> None:
    worker = build_worker(settings, app.state.sessions, app.state.cipher)
    schedule = {name: seconds for name, seconds, _job in worker.jobs}
    assert schedule["retention"] == 86400


def _wal_size(settings: Settings) -> int:
    path = Path(settings.database_url.removeprefix("sqlite+aiosqlite:///"))
    return Path(f"{path}-wal").stat().st_size


def _raw(settings: Settings) -> bytes:
    path = Path(settings.database_url.removeprefix("sqlite+aiosqlite:///"))
    return b"".join(Path(f"{path}{tail}").read_bytes() for tail in ("", "-wal", "-shm")
                    if Path(f"{path}{tail}").exists())


async def test_erased_values_are_in_no_sqlite_file(
    client: httpx.AsyncClient, app: Litestar, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite files")
    case = await canary_case(app, "withdrawn", 400)
    stored = await reload(app, case)
    sealed = [stored.nickname_enc, stored.email_enc, stored.phone_enc]
    before = _raw(settings)
    assert all(c.encode() in before for c in CANARIES[3:])  # the test can see them
    assert all(s and s.encode() in before for s in sealed)
    assert (await run(app, settings))["closed"] == 1
    after = _raw(settings)
    assert _wal_size(settings) == 0  # checkpointed and truncated
    for value in [*CANARIES, *(s or "" for s in sealed)]:
        assert value.encode() not in after, value
