"""Projects (teams) and public calls for help: forming, members, calls without personal
data, and who answered which call."""

from __future__ import annotations

import httpx
from litestar import Litestar
from sqlmodel import col, select

from core.db import utcnow
from core.models import AuditEvent
from matching.models import Call, Match, MatchStatus, ProjectMember
from matching.projects import personal_data_in
from tests.conftest import csrf_of
from tests.factories import (
    EMAIL,
    HELPER_EMAIL,
    HELPER_NAME,
    HELPER_PHONE,
    PHONE,
    make_helper,
    make_proposal,
    signed_in,
)

CALL = {
    "title": "配達ボランティア募集",
    "needed": "土曜の午前に、お弁当を灘区内のお宅へ届けてくださる方を募集します。",
    "category": "elderly",
    "ward": "nada",
}


async def form(client: httpx.AsyncClient, proposal_id: int) -> httpx.Response:
    page = await client.get(f"/admin/proposals/{proposal_id}/matching")
    return await client.post(f"/admin/projects/from-proposal/{proposal_id}",
                             data={"_csrf_token": csrf_of(page.text)})


async def post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    page = await client.get("/admin/projects")
    return await client.post(path, data={"_csrf_token": csrf_of(page.text), **data})


async def test_a_project_gathers_the_applicant_introduced_collaborators_and_others(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="matched")
    helper = await make_helper(app)
    stranger = await make_helper(app, ref="CO-STRANGER-1", email="s@example.jp")
    other = await make_proposal(app, ref="OU-OTHER-00001")
    coordinator = await signed_in(client, app, "coordinator")
    async with app.state.sessions() as db, db.begin():
        now = utcnow()
        db.add(Match(proposal_id=proposal.id or 0, collaborator_id=helper.id or 0,
                     coordinator_id=coordinator.id or 0, status=MatchStatus.INTRODUCED,
                     asked_at=now,
                     proposed_at=now, closed_at=now))
    formed = await form(client, proposal.id or 0)
    assert formed.status_code == 303
    location = formed.headers["location"]
    assert (await form(client, proposal.id or 0)).headers["location"] == location  # one only
    project_id = int(location.rsplit("/", 1)[1])
    page = await client.get(location)
    assert page.status_code == 200
    assert proposal.ref in page.text and helper.ref in page.text
    for secret in (EMAIL, PHONE, HELPER_EMAIL, HELPER_PHONE, HELPER_NAME):
        assert secret not in page.text
    assert "project.formed" in page.text.split("履歴")[-1]  # on the project's timeline

    added = await post(client, f"/admin/projects/{project_id}/members",
                       {"proposal_ref": other.ref.lower()})
    assert added.status_code == 303
    not_introduced = await post(client, f"/admin/projects/{project_id}/members",
                                {"collaborator_ref": stranger.ref})
    assert not_introduced.status_code == 400
    assert "紹介されていません" in not_introduced.text
    unknown = await post(client, f"/admin/projects/{project_id}/members",
                         {"proposal_ref": "OU-NOPE-0000"})
    assert unknown.status_code == 400
    again = await post(client, f"/admin/projects/{project_id}/members",
                       {"proposal_ref": other.ref})
    assert again.status_code == 400
    async with app.state.sessions() as db:
        members = (await db.exec(select(ProjectMember).where(
            col(ProjectMember.project_id) == project_id))).all()
        assert sorted(m.kind for m in members) == ["applicant", "applicant", "collaborator"]
        actions = (await db.exec(select(AuditEvent.action).where(
            col(AuditEvent.action).startswith("project.")))).all()
        assert sorted(actions) == ["project.formed", "project.member_added"]


async def test_calls_refuse_personal_data_and_appear_on_the_public_site(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="seeking")
    coordinator = await signed_in(client, app, "coordinator")
    project_path = (await form(client, proposal.id or 0)).headers["location"]
    calls_path = project_path + "/calls"
    for bad in ({**CALL, "needed": "詳しくは taro@example.jp まで"},
                {**CALL, "needed": "連絡は０７８－３２２－５２１１へ"},
                {**CALL, "title": ""},
                {**CALL, "category": "pets"}):
        refused = await post(client, calls_path, bad)
        assert refused.status_code == 422
        assert 'class="error-summary"' in refused.text
    refused = await post(client, calls_path, {**CALL, "needed": "連絡は078-322-5211へ"})
    assert "メールアドレスまたは電話番号" in refused.text
    assert "連絡は078-322-5211へ" in refused.text  # the text is kept for correcting
    async with app.state.sessions() as db:
        assert (await db.exec(select(Call))).all() == []

    assert (await post(client, calls_path, CALL)).status_code == 303
    async with app.state.sessions() as db:
        call = (await db.exec(select(Call))).one()
    public = await client.get("/calls")
    assert public.status_code == 200 and CALL["title"] in public.text
    detail = await client.get(f"/calls/{call.id}")
    assert detail.status_code == 200
    assert f'href="/collaborate?call={call.id}"' in detail.text
    for page in (public, detail):
        for secret in (EMAIL, PHONE, coordinator.display_name, coordinator.email,
                       proposal.ref):
            assert secret not in page.text
    filtered = await client.get("/calls", params={"category": "children"})
    assert CALL["title"] not in filtered.text
    form_page = await client.get(f"/collaborate?call={call.id}")
    assert f'name="call" value="{call.id}"' in form_page.text

    answered = await make_helper(app, ref="CO-ANSWER-0001", email="a@example.jp",
                                 call_id=call.id)
    project_page = await client.get(project_path)
    assert answered.ref in project_page.text.split("この募集に応じた人")[1]

    closed = await post(client, f"{calls_path}/{call.id}/close", {})
    assert closed.status_code == 303
    assert CALL["title"] not in (await client.get("/calls")).text
    assert "終了しました" in (await client.get(f"/calls/{call.id}")).text
    assert (await post(client, f"{calls_path}/{call.id}/close", {})).status_code == 400
    assert (await client.get("/calls/999999")).status_code == 404
    assert (await client.get("/calls", params={"before": "x", "ward": "<b>"})).status_code == 200


async def test_editors_read_projects_but_cannot_change_them(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="seeking")
    await signed_in(client, app, "coordinator")
    project_path = (await form(client, proposal.id or 0)).headers["location"]
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(
        (await client.get("/admin/")).text)})
    await signed_in(client, app, "editor")
    page = await client.get(project_path)
    assert page.status_code == 200 and "募集を公開する" not in page.text
    assert (await post(client, project_path + "/calls", CALL)).status_code == 403


def test_personal_data_detector() -> None:
    assert personal_data_in("info@npo.example.jp")
    assert personal_data_in("090-1234-5678") and personal_data_in("０７８（３２２）５２１１")
    assert not personal_data_in("2026年11月25日 10:00-12:00、20人ほど")
    assert not personal_data_in("毎週土曜日に100食を配ります")


async def test_calls_refuse_accounts_odd_phone_formats_and_members_own_names(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="seeking")
    await signed_in(client, app, "coordinator")
    project_path = (await form(client, proposal.id or 0)).headers["location"]
    for needed in ("連絡は 090.1234.5678 へ", "インスタ @kobe_taro まで", "LINE: kobe_taro",
                   "https://instagram.com/kobe.taro を見てください", "担当は こうべ 太郎 です"):
        refused = await post(client, project_path + "/calls", {**CALL, "needed": needed})
        assert refused.status_code == 422, needed
