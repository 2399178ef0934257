"""Dashboard figures, CSV exports and the audit listing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.case_list import overdue_cutoff
from admin.models import StaffUser
from admin.workflow import OPEN
from core.crypto import FieldCipher
from core.db import utcnow
from core.models import AuditEvent
from core.suppression import TOTAL, suppress
from intake.contact import contact_values
from intake.models import Proposal, ProposalStatus
from notifications.models import OutboxMessage, OutboxStatus

WEEKS = 12
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; make them text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Japanese correctly; CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@dataclass
class WeekBar:
    start: date
    count: int


async def intake_per_week(db: AsyncSession, now: datetime | None = None) -> list[WeekBar]:
    """Verified proposals per week (Monday start), the last twelve weeks, oldest first."""
    now = now or utcnow()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)
    bars = []
    for back in range(WEEKS - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        query = select(func.count()).select_from(Proposal).where(
            col(Proposal.verified_at) >= start,
            col(Proposal.verified_at) < start + timedelta(weeks=1),
        )
        bars.append(WeekBar(start.date(), int((await db.exec(query)).one())))
    return bars


def week_chart_svg(bars: list[WeekBar], title: str, minimum: int = 0) -> str:
    """A small bar chart as inline SVG; numbers also go into <title> for screen readers.
    With `minimum`, a week of 1 to minimum − 1 is drawn at the minimum and labelled `<N`."""
    label = {i: f"&lt;{minimum}" for i, b in enumerate(bars) if 0 < b.count < minimum}
    bars = [WeekBar(b.start, minimum) if i in label else b for i, b in enumerate(bars)]
    width, height, pad = 480, 160, 24
    peak = max((b.count for b in bars), default=0) or 1
    step = (width - 2 * pad) / max(len(bars), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-labelledby="chart-title" class="chart">',
             f'<title id="chart-title">{_xml(title)}</title>']
    for i, bar in enumerate(bars):
        h = (height - 2 * pad) * bar.count / peak
        x, y = pad + i * step + 2, height - pad - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" '
                     f'fill="#0b5cad"><title>{bar.start.isoformat()}: '
                     f'{label.get(i, bar.count)}</title></rect>')
        parts.append(f'<text x="{x + (step - 4) / 2:.1f}" y="{height - 8}" font-size="9" '
                     f'text-anchor="middle" fill="#1a1a1a">{bar.start.strftime("%m/%d")}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def failed_mail(db: AsyncSession, days: int = 7, now: datetime | None = None
                      ) -> list[tuple[str, int]]:
    """Emails that could not be sent (given up, refused, or impossible to build), by
    template, created in the last `days` days: the admins' alert on the dashboard."""
    since = (now or utcnow()) - timedelta(days=days)
    query = (sa_select(col(OutboxMessage.template), func.count())
             .where(col(OutboxMessage.status) == OutboxStatus.FAILED,
                    col(OutboxMessage.created_at) >= since)
             .group_by(col(OutboxMessage.template)).order_by(col(OutboxMessage.template)))
    return [(str(t), int(n)) for t, n in (await (await db.connection()).execute(query)).all()]


async def overdue_count(db: AsyncSession, sla_days: int) -> int:
    query = select(func.count()).select_from(Proposal).where(
        col(Proposal.status) == ProposalStatus.NEW,
        col(Proposal.verified_at) < overdue_cutoff(sla_days))
    return int((await db.exec(query)).one())


async def my_queue(db: AsyncSession, staff: StaffUser, limit: int = 20) -> list[Proposal]:
    query = (select(Proposal)
             .where(col(Proposal.assignee_id) == staff.id, col(Proposal.status).in_(OPEN))
             .order_by(col(Proposal.id)).limit(limit))
    return list((await db.exec(query)).all())


def _month(db: AsyncSession) -> ColumnElement[str]:
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(col(Proposal.created_at), "YYYY-MM")
    return func.strftime("%Y-%m", col(Proposal.created_at))


async def statistics_rows(db: AsyncSession) -> list[tuple[str, str, str, str, int]]:
    """Counts by category × month × status × ward: no names, contact data or free text."""
    month = _month(db).label("month")
    query = (
        sa_select(col(Proposal.category), month, col(Proposal.status),
                  func.coalesce(col(Proposal.ward), ""), func.count())
        .where(col(Proposal.status) != ProposalStatus.UNVERIFIED)
        .group_by(col(Proposal.category), month, col(Proposal.status), col(Proposal.ward))
        .order_by(month, col(Proposal.category), col(Proposal.status))
    )
    result = await (await db.connection()).execute(query)
    return [(c, m, s, w, int(n)) for c, m, s, w, n in result.all()]


async def published_statistics(db: AsyncSession, minimum: int) -> list[tuple[str, ...]]:
    """The statistics export: for each month and status, a table of category × ward with
    its totals (category or ward `all`), small counts hidden (core/suppression.py)."""
    tables: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    for category, month, status, ward, n in await statistics_rows(db):
        tables.setdefault((month, status), {})[(category, ward or "unspecified")] = n
    out: list[tuple[str, ...]] = []
    for (month, status), counts in sorted(tables.items()):
        rows = sorted({category for category, _ in counts})
        cols = sorted({ward for _, ward in counts})
        table = suppress(counts, rows, cols, minimum)
        for row in (*rows, TOTAL):
            for column in (*cols, TOTAL):
                # A hidden zero is listed too: left out, it would read as a known 0.
                if (row, column) in counts or (row, column) in table.hidden or TOTAL in (
                        row, column):
                    out.append((str(row), month, status, str(column),
                                table.shown((row, column))))
    return out


async def case_rows(db: AsyncSession, cipher: FieldCipher) -> list[list[object]]:
    """Every verified case with its contact data (admin export, audited by the caller)."""
    query = select(Proposal).where(col(Proposal.status) != ProposalStatus.UNVERIFIED).order_by(
        col(Proposal.id))
    rows: list[list[object]] = []
    for p in (await db.exec(query)).all():
        contact = contact_values(cipher, p)
        rows.append([p.ref, p.status, p.category, p.ward or "", p.org_name or "",
                     contact["nickname"] or "", contact["email"] or "", contact["phone"] or "",
                     p.catchphrase, p.body, p.created_at.isoformat()])
    return rows


async def audit_page(
    db: AsyncSession, action: str, actor: str, before: int | None, limit: int = 100
) -> tuple[list[AuditEvent], int | None]:
    query = select(AuditEvent)
    if action:
        query = query.where(col(AuditEvent.action) == action)
    if actor:
        query = query.where(col(AuditEvent.actor) == actor)
    if before:
        query = query.where(col(AuditEvent.id) < before)
    rows = list((await db.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit + 1))).all())
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)
