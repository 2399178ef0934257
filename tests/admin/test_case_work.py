"""Case work details: status reasons in the timeline, free text screened for roles without
contact data, when a contact took place, the configurable first-contact SLA, closed cases,
the dashboard, and the organisation on account events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from litestar import Litestar
from sqlmodel import select

from admin.calendar import JST
from admin.case_list import overdue_cutoff
from admin.models import CaseNote, ContactEntry
from app import create_app
from core.settings import Settings, SettingsError, load_settings
from intake.models import Proposal
from tests.admin.factories import admin_with_totp
from tests.conftest import csrf_of, running
from tests.factories import (
    EMAIL,
    PASSWORD,
    case_links,
    events,
    login,
    make_collaborator,
    make_proposal,
    make_staff,
    make_story,
    search,
    signed_in,
)

FREE_TEXT = "連絡は090-1234-5678か taro.kobe@example.jp へ。こうべ太郎より、灘区の見守り活動です。"


async def test_timeline_shows_status_reasons_to_those_who_may_read_notes(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="seeking")
    url = f"/admin/proposals/{proposal.id}"
    await signed_in(client, app, "coordinator")
    csrf = csrf_of((await client.get(url)).text)
    assert (await client.post(f"{url}/status", data={
        "to": "declined", "reason": "対象外の活動XYZ", "_csrf_token": csrf})).status_code == 303
    page = await client.get(url)
    assert "ステータス変更" in page.text and "対象外の活動XYZ" in page.text
    assert "proposal.status_changed" not in page.text  # shown once, from its own record

    await client.post("/admin/logout", data={"_csrf_token": csrf_of(page.text)})
    await admin_with_totp(client, app)
    page = await client.get(url)
    assert (await client.post(f"{url}/reopen", data={
        "reason": "再検討の依頼ABC", "_csrf_token": csrf_of(page.text)})).status_code == 303
    page = await client.get(url)
    assert "再開" in page.text and "再検討の依頼ABC" in page.text and "対象外の活動XYZ" in page.text

    await client.post("/admin/logout", data={"_csrf_token": csrf_of(page.text)})
    await signed_in(client, app, "editor")
    page = await client.get(url)
    assert page.status_code == 200 and "ステータス変更" in page.text
    assert "対象外の活動XYZ" not in page.text and "再検討の依頼ABC" not in page.text


async def test_editors_read_free_text_without_contact_data(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, catchphrase="こうべ太郎の見守り 078-322-5211 まで",
                                   body=FREE_TEXT)
    url = f"/admin/proposals/{proposal.id}"
    await signed_in(client, app, "coordinator")
    page = await client.get(url)
    assert "090-1234-5678" in page.text and "taro.kobe@example.jp" in page.text
    assert "078-322-5211" in (await client.get("/admin/proposals")).text
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(page.text)})

    await signed_in(client, app, "editor")
    for path in (url, "/admin/proposals", "/admin"):
        page = await client.get(path)
        assert page.status_code == 200, path
        for value in ("090-1234-5678", "taro.kobe@example.jp", "078-322-5211", "0783225211",
                      EMAIL, "こうべ太郎"):
            assert value not in page.text, (path, value)
    page = await client.get(url)
    # The applicant's own nickname, too, and what is left still reads as the proposal.
    assert "こうべ太郎" not in page.text and "灘区の見守り活動です。" in page.text
    assert "[…]" in page.text


async def test_a_contact_is_logged_at_the_time_it_took_place(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    arrived = datetime.now(UTC) - timedelta(days=3)
    proposal = await make_proposal(app, created_at=arrived, verified_at=arrived)
    url = f"/admin/proposals/{proposal.id}"
    await signed_in(client, app, "coordinator")
    page = await client.get(url)
    assert 'name="contacted_at" type="datetime-local"' in page.text
    csrf = csrf_of(page.text)
    when = (datetime.now(UTC) - timedelta(days=1)).astimezone(JST).replace(second=0,
                                                                          microsecond=0)
    refused = {
        "not a time": "昨日の午後",
        "in the future": (when + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "before the proposal": (when - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "year one": "0001-01-01T00:00",
        "with an offset": "2026-12-01T10:00+09:00",
    }
    for label, value in refused.items():
        response = await client.post(f"{url}/contacts", data={
            "channel": "phone", "outcome": "reached", "contacted_at": value,
            "_csrf_token": csrf})
        assert response.status_code == 400, label
        assert "連絡した日時を日本時間で入力してください" in response.text, label
    async with app.state.sessions() as db:
        assert (await db.exec(select(ContactEntry))).all() == []
    assert await events(app, "contact.logged") == []

    logged = await client.post(f"{url}/contacts", data={
        "channel": "phone", "outcome": "reached", "summary": "昨日の電話",
        "contacted_at": when.strftime("%Y-%m-%dT%H:%M"), "_csrf_token": csrf})
    assert logged.status_code == 303
    async with app.state.sessions() as db:
        [entry] = (await db.exec(select(ContactEntry))).all()
        stored = await db.get(Proposal, proposal.id)
    assert entry.at == when.astimezone(UTC)  # entered in Japan time, stored in UTC
    assert stored is not None and stored.first_contact_at == when.astimezone(UTC)
    assert stored.status == "in_contact"
    [event] = await events(app, "contact.logged")
    assert event.detail == "channel=phone outcome=reached" and event.organisation == "神戸市"
    page = await client.get(url)
    assert when.strftime("%Y-%m-%d %H:%M") in page.text  # the timeline reads in Japan time


async def test_closed_cases_refuse_notes_and_assignment_and_spam_needs_a_reason(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app)
    url = f"/admin/proposals/{proposal.id}"
    user = await signed_in(client, app, "coordinator")
    csrf = csrf_of((await client.get(url)).text)
    no_reason = await client.post(f"{url}/status", data={"to": "spam", "_csrf_token": csrf})
    assert no_reason.status_code == 400 and "理由を入力してください" in no_reason.text
    assert (await client.post(f"{url}/status", data={
        "to": "spam", "reason": "宣伝のみ", "_csrf_token": csrf})).status_code == 303
    note = await client.post(f"{url}/notes", data={"text": "メモ", "_csrf_token": csrf})
    assign = await client.post(f"{url}/assign", data={"assignee": str(user.id),
                                                      "_csrf_token": csrf})
    for response in (note, assign):
        assert response.status_code == 400 and "終了しているため変更できません" in response.text
    async with app.state.sessions() as db:
        assert (await db.exec(select(CaseNote))).all() == []
        stored = await db.get(Proposal, proposal.id)
    assert stored is not None and stored.assignee_id is None and stored.status == "spam"
    assert await events(app, "proposal.assigned") == [] and await events(app, "note.added") == []


async def test_dashboard_counts_statuses_and_lists_my_queue(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user = await signed_in(client, app, "coordinator")
    await make_proposal(app, ref="OU-DASH-0001", assignee_id=user.id, status="in_contact",
                        catchphrase="担当の案件その一")
    await make_proposal(app, ref="OU-DASH-0002", status="in_contact")
    await make_proposal(app, ref="OU-DASH-0003", status="completed", assignee_id=user.id,
                        catchphrase="終わった案件")
    await make_proposal(app, ref="OU-DASH-0004", status="unverified")
    page = await client.get("/admin")
    assert page.status_code == 200
    counts = dict(re.findall(r'status=(\w+)">[^<]+</a></td><td>(\d+)</td>', page.text))
    assert counts["in_contact"] == "2" and counts["completed"] == "1", counts
    assert counts["new"] == "0" and "unverified" not in counts
    assert "OU-DASH-0001" in page.text and "担当の案件その一" in page.text
    assert "OU-DASH-0003" not in page.text  # closed cases leave the queue
    assert "初回連絡の期限は、メール確認から3営業日以内です。" in page.text


async def test_the_first_contact_sla_is_a_setting(settings: Settings) -> None:
    verified = overdue_cutoff(1) - timedelta(minutes=30)  # over one business day, not three
    assert verified > overdue_cutoff(3)
    for days, overdue in ((1, True), (3, False)):
        app = create_app(settings.with_changes(sla_business_days=days))
        async with running(app) as client:
            # The same database both times: each round adds its proposal and its own account.
            await make_proposal(app, ref=f"OU-SLA{days}-0001", verified_at=verified,
                                created_at=verified)
            user, _ = await make_staff(app, "coordinator", email=f"sla{days}@city.example.jp")
            assert (await login(client, user.email)).status_code == 303
            dashboard = await client.get("/admin")
            listed = await client.get("/admin/proposals?overdue=1")
            assert f"メール確認から{days}営業日以内です。" in dashboard.text
            assert ("初回連絡の期限を過ぎた応募が1件あります" in dashboard.text) is overdue
            assert (f"OU-SLA{days}-0001" in listed.text) is overdue


@pytest.mark.parametrize("raw", ["0", "31", "three"])
def test_sla_setting_is_validated(raw: str) -> None:
    with pytest.raises(SettingsError, match="OUEN_SLA_BUSINESS_DAYS"):
        load_settings({"OUEN_ENV": "test", "OUEN_SLA_BUSINESS_DAYS": raw,
                       "OUEN_VAR_DIR": "/tmp/ouen-sla-test"})
    assert load_settings({"OUEN_ENV": "test", "OUEN_SLA_BUSINESS_DAYS": "5",
                          "OUEN_VAR_DIR": "/tmp/ouen-sla-test"}).sla_business_days == 5


async def test_account_events_carry_the_organisation_and_address(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    user, _ = await make_staff(app, "coordinator", email="org.check@city.example.jp")
    assert (await login(client, user.email, "wrong password 123")).status_code == 400
    assert (await login(client, user.email)).status_code == 303
    page = await client.get("/admin/password")
    changed = await client.post("/admin/password", data={
        "current": PASSWORD, "new": "a-new-long-passphrase-42",
        "repeat": "a-new-long-passphrase-42",
        "_csrf_token": csrf_of(page.text)})
    assert changed.status_code == 303
    page = await client.get("/admin")
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(page.text)})
    for action in ("login.failed", "password.changed", "logout"):
        found = [e for e in await events(app, action) if e.object_id == str(user.id)]
        assert found, action
        assert all(e.organisation == "神戸市" and e.ip for e in found), action


async def test_editors_and_auditors_read_collaborator_and_story_text_screened(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    collaborator = await make_collaborator(
        app, intro="連絡は hanako.leak@example.jp か 090-1111-2222 までどうぞ。配送を手伝えます。")
    proposal = await make_proposal(app, ref="OU-STRY-0001",
                                   catchphrase="こうべ太郎 090-1111-2222 の見守り")
    story = await make_story(app, "screened-story", proposal=proposal)
    secrets = ("hanako.leak@example.jp", "090-1111-2222", "hanako-leak")
    for role in ("editor", "auditor"):
        user, _ = await make_staff(app, role, email=f"{role}.screen@city.example.jp")
        assert (await login(client, user.email)).status_code == 303
        pages = [f"/admin/collaborators/{collaborator.id}", f"/admin/stories/{story.id}"]
        if role == "editor":
            pages.append(f"/admin/stories/new?proposal={proposal.id}")
        for path in pages:
            page = await client.get(path)
            assert page.status_code == 200, (role, path)
            assert "配送を手伝えます" in page.text or "見守り" in page.text, (role, path)
            for value in secrets:
                assert value not in page.text, (role, path, value)
        new = await client.get(f"/admin/stories/new?proposal={proposal.id}")
        if role == "editor":  # the suggested title and address leave the applicant's name out
            title = re.search(r'name="title"[^>]*value="([^"]*)"', new.text)
            slug = re.search(r'name="slug"[^>]*value="([^"]*)"', new.text)
            assert title and slug, new.text[:300]
            assert "こうべ太郎" not in title.group(1) and "の見守り" in title.group(1)
            assert "090" not in slug.group(1)
        client.cookies.clear()


async def test_editors_cannot_find_proposals_by_the_contact_data_in_their_text(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """Otherwise an address hidden from an editor could be rebuilt a character at a time."""
    await make_proposal(app, ref="OU-FIND-0001", body=FREE_TEXT)
    user = await signed_in(client, app, "coordinator")
    assert case_links((await search(client, "/admin/proposals", q="taro.kobe@ex")).text) == 1
    assert case_links((await search(client, "/admin/proposals", q="1234-5678")).text) == 1
    page = await client.get("/admin")
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(page.text)})
    assert user.id
    await signed_in(client, app, "editor")
    for term in ("taro.kobe@ex", "1234-5678", "090-1234"):
        assert case_links((await search(client, "/admin/proposals", q=term)).text) == 0, term
    assert case_links((await search(client, "/admin/proposals", q="見守り活動")).text) == 1
