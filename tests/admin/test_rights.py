"""Requests about personal data that came by phone, letter or at the counter: recorded with
the identity check and a due date 30 days on, carried out with the same functions as /my,
overdue ones on the dashboard; auditors see them, editors do not."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from litestar import Litestar
from sqlmodel import select

from admin.calendar import japan_today
from admin.models import RightsRequest, RightsStatus
from intake.contact import contact_values
from intake.models import Collaborator, Proposal
from tests.conftest import csrf_of
from tests.factories import EMAIL, events, make_collaborator, make_proposal, signed_in


async def record(client: httpx.AsyncClient, ref: str, kind: str, days_ago: int = 0,
                 **extra: str) -> httpx.Response:
    page = await client.get("/admin/rights/new")
    assert page.status_code == 200
    received = (japan_today() - timedelta(days=days_ago)).isoformat()
    return await client.post("/admin/rights", data={
        "ref": ref, "kind": kind, "channel": "phone", "identity_check": "registered_phone",
        "received_on": received, "_csrf_token": csrf_of(page.text), **extra})


async def act(client: httpx.AsyncClient, path: str, **data: str) -> httpx.Response:
    page = await client.get(path.rsplit("/", 1)[0])
    return await client.post(path, data={"_csrf_token": csrf_of(page.text), **data})


async def request_row(app: Litestar, request_id: int) -> RightsRequest:
    async with app.state.sessions() as db:
        row: RightsRequest | None = await db.get(RightsRequest, request_id)
    assert row is not None
    return row


async def test_recording_a_request_checks_it_and_sets_the_answer_date(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, ref="OU-RGHT-00001")
    await signed_in(client, app, "coordinator")
    refused = await record(client, "OU-NONE-99999", "erasure")
    assert refused.status_code == 422
    assert "この受付番号の応募または協力者はありません" in refused.text
    assert 'value="OU-NONE-99999"' in refused.text  # what was typed stays
    bad_date = await record(client, proposal.ref, "erasure", days_ago=-3)
    assert bad_date.status_code == 422 and "受付日" in bad_date.text
    async with app.state.sessions() as db:
        assert (await db.exec(select(RightsRequest))).all() == []
    made = await record(client, proposal.ref.lower(), "disclosure", days_ago=2)
    assert made.status_code == 303
    request_id = int(made.headers["location"].rsplit("/", 1)[1])
    row = await request_row(app, request_id)
    assert row.subject_id == proposal.id and row.due_on == row.received_on + timedelta(days=30)
    assert row.status == RightsStatus.OPEN
    recorded = await events(app, "rights.recorded")
    assert len(recorded) == 1 and "kind=disclosure" in recorded[0].detail
    assert EMAIL not in recorded[0].detail
    listing = await client.get("/admin/rights")
    assert "OU-RGHT-00001" in listing.text and str(row.due_on) in listing.text


async def test_disclosure_gives_everything_and_is_audited(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, ref="OU-RGHT-00002")
    await signed_in(client, app, "coordinator")
    made = await record(client, proposal.ref, "disclosure")
    path = made.headers["location"]
    download = await act(client, f"{path}/disclosure")
    assert download.status_code == 200 and download.headers["cache-control"] == "no-store"
    held = json.loads(download.content)
    assert held["contact"]["email"] == EMAIL and held["record"]["ref"] == "OU-RGHT-00002"
    assert len(await events(app, "rights.disclosed")) == 1
    closed = await act(client, f"{path}/close", outcome="answered")
    assert closed.status_code == 303
    assert (await request_row(app, int(path.rsplit("/", 1)[1]))).outcome == "answered"
    again = await act(client, f"{path}/close", outcome="answered")
    assert again.status_code == 422  # closed already: nothing changes


async def test_erasure_needs_the_tick_then_erases_like_the_person_would(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, ref="OU-RGHT-00003")
    await signed_in(client, app, "coordinator")
    path = (await record(client, proposal.ref, "erasure")).headers["location"]
    unticked = await act(client, f"{path}/carry-out")
    assert unticked.status_code == 422 and "チェック" in unticked.text
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
        assert row is not None and row.erased_at is None
    done = await act(client, f"{path}/carry-out", confirm="yes")
    assert done.status_code == 303
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
        assert row is not None and row.erased_at is not None and row.email_enc is None
    erased = await events(app, "person.erased")
    assert len(erased) == 1 and "reason=rights_request" in erased[0].detail
    assert (await request_row(app, int(path.rsplit("/", 1)[1]))).outcome == "carried_out"


async def test_correction_changes_only_what_was_typed(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, ref="OU-RGHT-00004",
                                   contact={"website_url": "https://old.example.jp"})
    await signed_in(client, app, "coordinator")
    path = (await record(client, proposal.ref, "correction")).headers["location"]
    form = await client.get(path)
    assert EMAIL not in form.text and "0783225211" not in form.text  # nothing held is shown
    refused = await act(client, f"{path}/correction", phone="12")
    assert refused.status_code == 422 and 'value="12"' in refused.text
    saved = await act(client, f"{path}/correction", phone="０９０−１１１１−２２２２",
                      clear_website_url="yes")
    assert saved.status_code == 303
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
        assert row is not None
        values = contact_values(app.state.cipher, row)
    assert values["phone"] == "09011112222" and values["email"] == EMAIL
    assert values["website_url"] is None
    corrected = await events(app, "person.corrected")
    assert corrected[0].detail == "fields=phone,website_url"


async def test_withdrawal_of_a_proposal_and_of_a_collaborator(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, ref="OU-RGHT-00005", status="seeking")
    helper = await make_collaborator(app, ref="CO-RGHT-00001")
    await signed_in(client, app, "coordinator")
    for ref in (proposal.ref, helper.ref):
        path = (await record(client, ref, "withdrawal")).headers["location"]
        assert (await act(client, f"{path}/carry-out", confirm="yes")).status_code == 303
    async with app.state.sessions() as db:
        row = await db.get(Proposal, proposal.id)
        assert row is not None and row.status == "withdrawn"
    async with app.state.sessions() as db:
        member = await db.get(Collaborator, helper.id)
        assert member is not None and member.status == "retired"


async def test_overdue_requests_on_the_dashboard_and_who_sees_them(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, ref="OU-RGHT-00006")
    await signed_in(client, app, "coordinator")
    before = await client.get("/admin")
    assert "回答期限を過ぎた個人情報に関する請求はありません" in before.text
    assert (await record(client, proposal.ref, "disclosure", days_ago=31)).status_code == 303
    assert (await record(client, proposal.ref, "erasure", days_ago=29)).status_code == 303
    dashboard = await client.get("/admin")
    assert "1件の個人情報に関する請求が30日の回答期限を過ぎています" in dashboard.text
    assert "期限超過" in (await client.get("/admin/rights")).text
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(dashboard.text)})
    await signed_in(client, app, "auditor")
    listing = await client.get("/admin/rights")
    assert listing.status_code == 200 and "OU-RGHT-00006" in listing.text
    assert (await client.get("/admin/rights/new")).status_code == 403
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(listing.text)})
    await signed_in(client, app, "editor")
    assert (await client.get("/admin/rights")).status_code == 403
