"""Dashboard figures, CSV exports and the audit viewer."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from litestar import Litestar
from sqlmodel import col, select

from admin.reports import safe_cell, to_csv
from core.db import utcnow
from core.models import AuditEvent
from tests.admin.factories import admin_with_totp
from tests.conftest import csrf_of
from tests.factories import EMAIL, PHONE, make_proposal, signed_in


async def audit_details(app: Litestar, action: str) -> list[str]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent).where(col(AuditEvent.action) == action))
        return [e.detail for e in rows.all()]


def parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Japanese correctly
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_cells_that_look_like_formulas_are_neutralised() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+81", "-x", "@SUM(A1)", "普通", 3, None)] == [
        "'=1+1", "'+81", "'-x", "'@SUM(A1)", "普通", "3", ""]
    rows = parse(to_csv(("a",), [("=HYPERLINK(\"x\")",)]))
    assert rows[1] == ["'=HYPERLINK(\"x\")"]


async def test_dashboard_figures(client: httpx.AsyncClient, app: Litestar) -> None:
    old = utcnow() - timedelta(days=30)  # beyond 3 working days even over New Year
    await make_proposal(app, ref="OU-LATE-0001", verified_at=old, created_at=old)
    await make_proposal(app, ref="OU-NOWW-0001")
    await signed_in(client, app, "coordinator")
    page = await client.get("/admin")
    assert "初回連絡の期限を過ぎた応募が1件あります" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text and ": 1</title>" in page.text
    assert "担当している案件はありません。" in page.text


async def test_statistics_export_hides_small_counts_and_what_would_reveal_them(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    for n, (category, ward) in enumerate([("elderly", "nada")] * 6 + [("children", "nada")]
                                         + [("elderly", "kita")] * 5):
        await make_proposal(app, ref=f"OU-STAT-{n:04d}", category=category, ward=ward)
    await make_proposal(app, ref="OU-STAT-0099", category="foreign_residents", ward="nagata",
                        status="completed")
    await signed_in(client, app, "coordinator")
    response = await client.get("/admin/exports/statistics.csv")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = parse(response.content)
    month = utcnow().strftime("%Y-%m")
    assert rows[0] == ["category", "month", "status", "ward", "proposals"]
    got = {(r[0], r[2], r[3]): r[4] for r in rows[1:] if r[1] == month}
    assert got == {
        # (children, nada) = 1 is under 5, and so its row total. The nada column would then
        # give it away (7 − 6), so (elderly, nada) is hidden too (x: not small, only
        # hidden), and the row totals (12 − 11) take the elderly total with it. Every row
        # and column now has none or at least two hidden entries.
        ("children", "new", "nada"): "<5", ("children", "new", "all"): "<5",
        ("elderly", "new", "kita"): "5", ("elderly", "new", "nada"): "x",
        ("elderly", "new", "all"): "x",
        ("all", "new", "kita"): "5", ("all", "new", "nada"): "7", ("all", "new", "all"): "12",
        # The example: one completed case in Nagata would name a person.
        ("foreign_residents", "completed", "nagata"): "<5",
        ("foreign_residents", "completed", "all"): "<5",
        ("all", "completed", "nagata"): "<5", ("all", "completed", "all"): "<5",
    }
    text = response.content.decode("utf-8-sig")
    assert EMAIL not in text and PHONE not in text and "高齢者" not in text
    assert await audit_details(app, "export.statistics") == [f"rows={len(rows) - 1}"]


async def test_editors_and_auditors_see_dashboard_figures_with_small_counts_hidden(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    for n in range(6):
        await make_proposal(app, ref=f"OU-DASH-{n:04d}", status="seeking")
    await make_proposal(app, ref="OU-DASH-0099", status="completed")
    await signed_in(client, app, "auditor")
    page = (await client.get("/admin")).text
    assert "<td>6</td>" in page and "<td>&lt;5</td>" in page and "<td>1</td>" not in page
    assert ": 1</title>" not in page and ": 7</title>" in page  # the week's 7 is shown


async def test_exports_are_for_the_right_roles(client: httpx.AsyncClient, app: Litestar) -> None:
    await signed_in(client, app, "editor")
    assert (await client.get("/admin/exports/statistics.csv")).status_code == 403
    assert (await client.get("/admin/audit")).status_code == 403


async def test_case_export_needs_admin_and_a_fresh_code(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_proposal(app)
    coordinator = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    await signed_in(coordinator, app, "coordinator")
    page = await coordinator.get("/admin/exports")
    assert "連絡先を含む案件一覧" not in page.text
    refused = await coordinator.post("/admin/exports/cases.csv",
                                     data={"code": "123456", "_csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403
    await coordinator.aclose()

    totp = await admin_with_totp(client, app)
    page = await client.get("/admin/exports")
    wrong = await client.post("/admin/exports/cases.csv",
                              data={"code": "000000", "_csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 400 and EMAIL not in wrong.text
    ok = await client.post("/admin/exports/cases.csv",
                           data={"code": totp.now(), "_csrf_token": csrf_of(page.text)})
    assert ok.status_code == 200
    rows = parse(ok.content)
    assert rows[0][6] == "email" and rows[1][6] == EMAIL and rows[1][7] == PHONE
    assert await audit_details(app, "export.cases_with_contact_data") == ["rows=1"]


async def test_auditor_reads_and_verifies_the_log(client: httpx.AsyncClient, app: Litestar) -> None:
    await make_proposal(app)
    await signed_in(client, app, "auditor")
    page = await client.get("/admin/audit")
    assert page.status_code == 200 and "login.success" in page.text and "神戸市" in page.text
    filtered = await client.get("/admin/audit", params={"action": "user.created"})
    assert "user.created" in filtered.text and "login.success" not in filtered.text
    verified = await client.post("/admin/audit/verify", data={"_csrf_token": csrf_of(page.text)})
    assert verified.status_code == 200 and "改ざんはありません" in verified.text
    assert (await client.get("/admin/proposals")).status_code == 403


async def test_audit_page_odd_keyset_is_not_500(client: httpx.AsyncClient, app: Litestar) -> None:
    await signed_in(client, app, "auditor")
    for before in ("²", "9" * 20, "-1"):
        assert (await client.get("/admin/audit", params={"before": before})).status_code == 200


async def test_case_export_refused_while_locked(client: httpx.AsyncClient, app: Litestar) -> None:
    await make_proposal(app)
    totp = await admin_with_totp(client, app)
    page = await client.get("/admin/exports")
    csrf = csrf_of(page.text)
    for _ in range(5):
        await client.post("/admin/exports/cases.csv", data={"code": "000000", "_csrf_token": csrf})
    locked = await client.post("/admin/exports/cases.csv",
                               data={"code": totp.now(), "_csrf_token": csrf})
    assert locked.status_code == 400 and EMAIL not in locked.text
    assert await audit_details(app, "export.cases_with_contact_data") == []
