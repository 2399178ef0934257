"""Case work: list and filters, masked contact data, audited reveals, status, contact log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from litestar import Litestar
from sqlmodel import col, select

from admin.models import ProposalTransition
from core.db import utcnow
from intake.contact import contact_value
from intake.models import Proposal
from tests.conftest import csrf_of
from tests.factories import (
    EMAIL,
    PHONE,
    case_links,
    events,
    login,
    make_proposal,
    make_staff,
    search,
    signed_in,
)


async def test_list_filters_and_japanese_search(client: httpx.AsyncClient, app: Litestar) -> None:
    await make_proposal(app, ref="OU-AAAA-0001")
    await make_proposal(app, ref="OU-AAAA-0002", category="children", ward="kita",
                        catchphrase="子ども食堂", body="北区で子ども食堂を開きます。")
    await make_proposal(app, ref="OU-AAAA-0003", status="unverified")
    await signed_in(client, app, "coordinator")
    page = await client.get("/admin/proposals")
    assert page.status_code == 200
    assert "OU-AAAA-0001" in page.text and "OU-AAAA-0002" in page.text
    assert "OU-AAAA-0003" not in page.text  # unverified proposals are not cases yet
    found = await search(client, "/admin/proposals", q="高齢")  # a two-character word
    assert "OU-AAAA-0001" in found.text and "OU-AAAA-0002" not in found.text
    by_category = await client.get("/admin/proposals", params={"category": "children"})
    assert "OU-AAAA-0002" in by_category.text and "OU-AAAA-0001" not in by_category.text
    by_ward = await client.get("/admin/proposals", params={"ward": "nada", "status": "new"})
    assert "OU-AAAA-0001" in by_ward.text and "OU-AAAA-0002" not in by_ward.text
    odd = await search(client, "/admin/proposals", since="yesterday", status="<script>",
                       q="%_\\")
    assert odd.status_code == 200 and "<script>" not in odd.text
    forged = await client.get("/admin/proposals", params={"qe": "not-a-token", "after": "x"})
    assert forged.status_code == 200 and "OU-AAAA-0001" in forged.text  # ignored, not a 500


async def test_overdue_filter_and_keyset_pages(client: httpx.AsyncClient, app: Litestar) -> None:
    old = utcnow() - timedelta(days=30)  # beyond 3 working days even over New Year
    await make_proposal(app, ref="OU-OVER-DUE1", verified_at=old, created_at=old)
    for n in range(55):
        await make_proposal(app, ref=f"OU-PAGE-{n:04d}")
    await signed_in(client, app, "coordinator")
    overdue = await client.get("/admin/proposals", params={"overdue": "1"})
    assert "OU-OVER-DUE1" in overdue.text and "OU-PAGE-0054" not in overdue.text
    first = await client.get("/admin/proposals")
    assert case_links(first.text) == 50 and 'rel="next"' in first.text
    next_link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = await client.get(next_link.replace("&amp;", "&"))
    assert case_links(second.text) == 6 and "OU-OVER-DUE1" in second.text


async def test_contact_data_is_masked_and_revealed_with_a_reason(
    client: httpx.AsyncClient, app: Litestar, captured_logs: Any
) -> None:
    proposal = await make_proposal(app)
    await signed_in(client, app, "coordinator")
    page = await client.get(f"/admin/proposals/{proposal.id}")
    assert "t***@e***.jp" in page.text and "***-****-5211" in page.text
    assert EMAIL not in page.text and PHONE not in page.text
    csrf = csrf_of(page.text)
    no_reason = await client.post(f"/admin/proposals/{proposal.id}/reveal",
                                  data={"field": "phone", "_csrf_token": csrf})
    assert no_reason.status_code == 400 and PHONE not in no_reason.text
    assert await events(app, "contact.revealed") == []
    shown = await client.post(f"/admin/proposals/{proposal.id}/reveal",
                              data={"field": "phone", "reason": "contact_applicant",
                                    "_csrf_token": csrf})
    assert shown.status_code == 200 and PHONE in shown.text and EMAIL not in shown.text
    [event] = await events(app, "contact.revealed")
    assert event.detail == "field=phone reason=contact_applicant"
    assert event.object_id == str(proposal.id) and event.organisation == "神戸市"
    assert PHONE not in captured_logs.getvalue() and EMAIL not in captured_logs.getvalue()


async def test_editor_never_sees_contact_data(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app)
    await signed_in(client, app, "editor")
    page = await client.get(f"/admin/proposals/{proposal.id}")
    assert page.status_code == 200 and "高齢者の買い物を手伝いたい" in page.text
    assert "***" not in page.text and "reveal" not in page.text
    csrf = csrf_of(page.text)
    for action, data in (("reveal", {"field": "email", "reason": "other"}),
                         ("status", {"to": "in_contact"}),
                         ("contacts", {"channel": "phone", "outcome": "reached"})):
        response = await client.post(f"/admin/proposals/{proposal.id}/{action}",
                                     data={**data, "_csrf_token": csrf})
        assert response.status_code == 403 and EMAIL not in response.text
    assert await events(app, "contact.revealed") == []


async def test_auditor_cannot_open_cases(client: httpx.AsyncClient, app: Litestar) -> None:
    await signed_in(client, app, "auditor")
    assert (await client.get("/admin/proposals")).status_code == 403


async def test_state_machine_and_contact_log(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app)
    url = f"/admin/proposals/{proposal.id}"
    await signed_in(client, app, "coordinator")
    csrf = csrf_of((await client.get(url)).text)

    jump = await client.post(f"{url}/status", data={"to": "seeking", "_csrf_token": csrf})
    assert jump.status_code == 400 and "現在の状態からはこの変更はできません" in jump.text

    logged = await client.post(f"{url}/contacts", data={
        "channel": "phone", "outcome": "reached", "summary": "電話で詳細を伺った。",
        "next_action_on": "2026-12-01", "_csrf_token": csrf})
    assert logged.status_code == 303
    page = await client.get(url)
    assert "聞き取り中" in page.text and "電話で詳細を伺った。" in page.text

    assert (await client.post(f"{url}/status", data={"to": "seeking", "_csrf_token": csrf})
            ).status_code == 303
    no_reason = await client.post(f"{url}/status", data={"to": "declined", "_csrf_token": csrf})
    assert no_reason.status_code == 400 and "理由を入力してください" in no_reason.text
    declined = await client.post(f"{url}/status", data={
        "to": "declined", "reason": "対象外の活動", "_csrf_token": csrf})
    assert declined.status_code == 303

    closed = await client.post(f"{url}/contacts", data={
        "channel": "phone", "outcome": "reached", "_csrf_token": csrf})
    assert closed.status_code == 400 and "終了しているため変更できません" in closed.text
    reopen = await client.post(f"{url}/status", data={"to": "new", "_csrf_token": csrf})
    assert reopen.status_code == 400
    async with app.state.sessions() as db:
        moves = [(t.from_status, t.to_status, t.reason) for t in (await db.exec(
            select(ProposalTransition).order_by(col(ProposalTransition.id)))).all()]
    assert moves == [("new", "in_contact", "first contact logged"), ("in_contact", "seeking", ""),
                     ("seeking", "declined", "対象外の活動")]
    details = [e.detail for e in await events(app, "proposal.status_changed")]
    assert details == ["new -> in_contact", "in_contact -> seeking", "seeking -> declined"]


async def test_assignment_and_my_queue(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app, ref="OU-MINE-0001")
    await make_proposal(app, ref="OU-NOTM-0001")
    staff_id = str((await signed_in(client, app, "coordinator")).id)
    page = await client.get(f"/admin/proposals/{proposal.id}")
    assigned = await client.post(f"/admin/proposals/{proposal.id}/assign",
                                 data={"assignee": staff_id, "_csrf_token": csrf_of(page.text)})
    assert assigned.status_code == 303
    mine = await client.get("/admin/proposals", params={"assignee": "me"})
    assert "OU-MINE-0001" in mine.text and "OU-NOTM-0001" not in mine.text
    assert [e.detail for e in await events(app, "proposal.assigned")] == [f"assignee={staff_id}"]
    bogus = await client.post(f"/admin/proposals/{proposal.id}/assign",
                              data={"assignee": "99999", "_csrf_token": csrf_of(page.text)})
    assert bogus.status_code == 400


async def test_unknown_and_unverified_cases_are_404(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    hidden = await make_proposal(app, status="unverified")
    await signed_in(client, app, "coordinator")
    assert (await client.get("/admin/proposals/999999")).status_code == 404
    assert (await client.get(f"/admin/proposals/{hidden.id}")).status_code == 404
    assert (await client.get("/admin/proposals/abc")).status_code == 404


async def test_staff_enter_a_proposal_received_by_phone(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    from tests.conftest import VALID_FORM

    staff = await signed_in(client, app, "coordinator")
    page = await client.get("/admin/proposals/new")
    assert page.status_code == 200 and "代理で応募を入力する" in page.text
    csrf = csrf_of(page.text)
    bad = await client.post("/admin/proposals/new", data={
        **VALID_FORM, "phone": "12", "source": "fax", "_csrf_token": csrf})
    assert bad.status_code == 422
    assert "受付方法を選んでください" in bad.text and "電話番号は" in bad.text
    assert 'value="taro.kobe@example.jp"' in bad.text
    async with app.state.sessions() as db:
        assert (await db.exec(select(Proposal))).first() is None
    ok = await client.post("/admin/proposals/new", data={
        **VALID_FORM, "source": "phone", "consent_method": "verbal_phone", "_csrf_token": csrf})
    assert ok.status_code == 303
    case = await client.get(ok.headers["location"])
    assert "電話で個人情報保護方針を読み上げ、同意を得た" in case.text
    async with app.state.sessions() as db:
        proposal = (await db.exec(select(Proposal))).one()
    assert proposal.status == "new" and proposal.source == "phone"
    assert proposal.entered_by_id == staff.id and proposal.consent_method == "verbal_phone"
    assert contact_value(app.state.cipher, proposal, "phone") == "0783225211"
    [event] = await events(app, "proposal.entered_on_behalf")
    assert event.detail == "source=phone consent=verbal_phone"


async def test_editor_cannot_enter_proposals(client: httpx.AsyncClient, app: Litestar) -> None:
    await signed_in(client, app, "editor")
    assert (await client.get("/admin/proposals/new")).status_code == 403


async def test_oldest_first_with_keyset_pages(client: httpx.AsyncClient, app: Litestar) -> None:
    for n in range(52):
        await make_proposal(app, ref=f"OU-SORT-{n:04d}")
    await signed_in(client, app, "coordinator")
    first = await client.get("/admin/proposals", params={"sort": "oldest"})
    assert first.text.index("OU-SORT-0000") < first.text.index("OU-SORT-0001")
    assert "OU-SORT-0051" not in first.text
    link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = await client.get(link.replace("&amp;", "&"))
    assert "OU-SORT-0050" in second.text and "OU-SORT-0051" in second.text
    assert "OU-SORT-0049" not in second.text


def test_demo_data_cli(tmp_path: Any, database_url: str) -> None:
    import asyncio
    import os
    import subprocess
    import sys

    from sqlalchemy import func

    from core.db import create_engine

    env = {**os.environ, "OUEN_VAR_DIR": str(tmp_path), "OUEN_DATABASE_URL": database_url}
    run = [sys.executable, "-m", "cli"]
    made = subprocess.run([*run, "demo-data", "--proposals", "1200"], env=env, text=True,
                          capture_output=True, check=False, timeout=120)
    assert made.returncode == 0 and "created 1200 fictional proposals" in made.stdout
    assert "created 3 showcase projects with published stories" in made.stdout
    again = subprocess.run([*run, "demo-data", "--showcase-only"], env=env, text=True,
                           capture_output=True, check=False, timeout=120)
    assert "created 0 showcase projects" in again.stdout  # once only

    async def count() -> int:
        engine = create_engine(database_url)
        async with engine.connect() as conn:
            n = (await conn.execute(select(func.count()).select_from(Proposal))).scalar_one()
        await engine.dispose()
        return int(n)

    assert asyncio.run(count()) == 1203


async def test_internal_notes(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app)
    url = f"/admin/proposals/{proposal.id}"
    await signed_in(client, app, "coordinator")
    csrf = csrf_of((await client.get(url)).text)
    empty = await client.post(f"{url}/notes", data={"text": "  ", "_csrf_token": csrf})
    assert empty.status_code == 400 and "メモを入力してから保存してください" in empty.text
    saved = await client.post(f"{url}/notes", data={
        "text": "区役所の担当者にも相談済み。", "_csrf_token": csrf})
    assert saved.status_code == 303
    page = await client.get(url)
    assert "内部メモ" in page.text and "区役所の担当者にも相談済み。" in page.text
    [event] = await events(app, "note.added")
    assert event.detail == ""  # the note's text is not copied into the audit log


async def test_editor_does_not_see_call_summaries_or_notes(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app)
    url = f"/admin/proposals/{proposal.id}"
    coordinator = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    await signed_in(coordinator, app, "coordinator")
    csrf = csrf_of((await coordinator.get(url)).text)
    await coordinator.post(f"{url}/contacts", data={
        "channel": "phone", "outcome": "reached", "summary": "折り返しは 090-1111-2222 まで",
        "_csrf_token": csrf})
    await coordinator.post(f"{url}/notes", data={"text": "母親の山田花子さんが窓口",
                                                 "_csrf_token": csrf})
    await coordinator.aclose()
    user, _ = await make_staff(app, "editor", email="editor.notes@city.example.jp")
    await login(client, user.email)
    page = await client.get(url)
    assert page.status_code == 200 and "内部メモ" in page.text  # the entry is listed
    assert "090-1111-2222" not in page.text and "山田花子" not in page.text


async def test_odd_numbers_in_queries_and_paths_are_not_500(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_proposal(app)
    await signed_in(client, app, "coordinator")
    for params in ({"after": "²"}, {"after": "9" * 20}, {"assignee": "²"},
                   {"assignee": "9" * 20}, {"until": "9999-12-31"}, {"since": "0001-01-01"}):
        assert (await client.get("/admin/proposals", params=params)).status_code == 200, params
    assert (await client.get("/admin/proposals/" + "9" * 20)).status_code == 404
    page = await client.get("/admin/proposals")
    csrf = csrf_of(page.text)
    response = await client.post("/admin/proposals/" + "9" * 20 + "/status",
                                 data={"to": "in_contact", "_csrf_token": csrf})
    assert response.status_code == 404
