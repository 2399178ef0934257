"""Staff pages for collaborators: list, filters, search, pages, masked contact data, audited
reveals, staff entry, profile edits, pause / retire / reactivate."""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar import Litestar
from sqlmodel import col, select

from core.models import AuditEvent
from intake.contact import contact_value
from intake.models import Collaborator
from notifications.models import OutboxMessage
from tests.conftest import csrf_of
from tests.factories import COLLABORATOR_EMAIL as EMAIL
from tests.factories import (
    COLLABORATOR_FORM,
    events,
    login,
    make_collaborator,
    make_staff,
    search,
    signed_in,
)
from tests.factories import COLLABORATOR_NAME as NAME
from tests.factories import COLLABORATOR_PHONE as PHONE

BASE = "/admin/collaborators"


def refs(html: str) -> list[str]:
    return re.findall(r'href="/admin/collaborators/\d+">(CO-[A-Z0-9-]+)<', html)


async def test_list_filters_and_search(client: httpx.AsyncClient, app: Litestar) -> None:
    await make_collaborator(app, ref="CO-AAAA-0001")
    await make_collaborator(app, ref="CO-AAAA-0002", categories=["children", "npo"],
                            wards=["citywide"], offers=["翻訳", "ベトナム語"],
                            availability="evenings", org_name="多文化ひろば",
                            intro="外国にルーツのある子どもの学習支援をしています。")
    await make_collaborator(app, ref="CO-AAAA-0003", status="paused", wards=["higashinada"])
    await make_collaborator(app, ref="CO-AAAA-0004", status="unverified")
    await signed_in(client, app, "coordinator")
    page = await client.get(BASE)
    assert page.status_code == 200
    assert sorted(refs(page.text)) == ["CO-AAAA-0001", "CO-AAAA-0002", "CO-AAAA-0003"]
    assert NAME not in page.text and EMAIL not in page.text  # no contact data in lists

    async def listed(**params: str) -> list[str]:
        response = await search(client, BASE, **params)
        assert response.status_code == 200, params
        return sorted(refs(response.text))

    assert await listed(status="paused") == ["CO-AAAA-0003"]
    assert await listed(category="children") == ["CO-AAAA-0002"]
    assert await listed(category="elderly", status="active") == ["CO-AAAA-0001"]
    # `nada` must not match `higashinada`; city-wide collaborators count everywhere.
    assert await listed(ward="nada") == ["CO-AAAA-0002"]
    assert await listed(ward="suma") == ["CO-AAAA-0001", "CO-AAAA-0002"]
    assert await listed(offer="配送") == ["CO-AAAA-0001", "CO-AAAA-0003"]
    assert await listed(offer="ベトナム語") == ["CO-AAAA-0002"]
    assert await listed(availability="evenings") == ["CO-AAAA-0002"]
    assert await listed(q="学習支援") == ["CO-AAAA-0002"]  # the introduction
    assert await listed(q="多文化") == ["CO-AAAA-0002"]  # the organisation
    assert await listed(q="ベトナム") == ["CO-AAAA-0002"]  # the offers
    assert await listed(q=NAME) == []  # never the (encrypted) name
    assert await listed(q="%_\\") == []
    odd = await client.get(BASE, params={"status": "<script>", "after": "²",
                                         "ward": "osaka", "sort": "x"})
    assert odd.status_code == 200 and "<script>" not in odd.text


async def test_keyset_pages(client: httpx.AsyncClient, app: Litestar) -> None:
    for n in range(53):
        await make_collaborator(app, ref=f"CO-PAGE-{n:04d}")
    await signed_in(client, app, "editor")
    first = await client.get(BASE)
    assert len(refs(first.text)) == 50 and refs(first.text)[0] == "CO-PAGE-0052"
    link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = await client.get(link.replace("&amp;", "&"))
    assert refs(second.text) == ["CO-PAGE-0002", "CO-PAGE-0001", "CO-PAGE-0000"]
    assert 'rel="next"' not in second.text
    oldest = await client.get(BASE, params={"sort": "oldest"})
    assert refs(oldest.text)[0] == "CO-PAGE-0000"


async def test_contact_data_is_masked_and_revealed_with_a_reason(
    client: httpx.AsyncClient, app: Litestar, captured_logs: Any
) -> None:
    collaborator = await make_collaborator(app)
    url = f"{BASE}/{collaborator.id}"
    await signed_in(client, app, "coordinator")
    page = await client.get(url)
    assert page.status_code == 200 and "須磨区で軽トラックを持っています。" in page.text
    assert "j***@e***.jp" in page.text and "***-****-1234" in page.text and "す***" in page.text
    assert EMAIL not in page.text and PHONE not in page.text and NAME not in page.text
    csrf = csrf_of(page.text)
    no_reason = await client.post(f"{url}/reveal", data={"field": "email", "_csrf_token": csrf})
    assert no_reason.status_code == 400 and EMAIL not in no_reason.text
    wrong_field = await client.post(f"{url}/reveal", data={
        "field": "intro", "reason": "other", "_csrf_token": csrf})
    assert wrong_field.status_code == 400
    assert await events(app, "contact.revealed") == []
    shown = await client.post(f"{url}/reveal", data={
        "field": "email", "reason": "contact_collaborator", "_csrf_token": csrf})
    assert shown.status_code == 200 and EMAIL in shown.text and PHONE not in shown.text
    [event] = await events(app, "contact.revealed")
    assert event.object_type == "collaborator" and event.object_id == str(collaborator.id)
    assert event.detail == "field=email reason=contact_collaborator"
    assert event.organisation == "神戸市"
    history = await client.get(url)
    assert "contact.revealed" in history.text  # the record's history shows the reveal
    logs = captured_logs.getvalue()
    assert EMAIL not in logs and PHONE not in logs and NAME not in logs


async def test_editor_and_auditor_never_see_contact_data(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    collaborator = await make_collaborator(app)
    url = f"{BASE}/{collaborator.id}"
    for role in ("editor", "auditor"):
        user, _ = await make_staff(app, role, email=f"{role}.collab@city.example.jp")
        c = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
        await login(c, user.email)
        listing = await c.get(BASE)
        assert listing.status_code == 200 and collaborator.ref in listing.text
        assert "/admin/collaborators/new" not in listing.text
        page = await c.get(url)
        assert page.status_code == 200 and "須磨区で軽トラックを持っています。" in page.text
        assert "***" not in page.text and "/reveal" not in page.text and "/edit" not in page.text
        csrf = csrf_of(page.text)
        for action, data in (("reveal", {"field": "email", "reason": "other"}),
                             ("status", {"action": "pause"}),
                             ("edit", {"intro": "x"})):
            response = await c.post(f"{url}/{action}", data={**data, "_csrf_token": csrf})
            assert response.status_code == 403 and EMAIL not in response.text, (role, action)
        assert (await c.get(f"{url}/edit")).status_code == 403
        assert (await c.get(f"{BASE}/new")).status_code == 403
        await c.aclose()
    assert await events(app, "contact.revealed") == []
    assert await events(app, "collaborator.status_changed") == []


async def test_pause_retire_reactivate(client: httpx.AsyncClient, app: Litestar) -> None:
    collaborator = await make_collaborator(app)
    url = f"{BASE}/{collaborator.id}"
    await signed_in(client, app, "coordinator")
    page = await client.get(url)
    assert "休止する" in page.text and "登録を終了する" in page.text
    csrf = csrf_of(page.text)

    async def act(action: str) -> httpx.Response:
        return await client.post(f"{url}/status", data={"action": action, "_csrf_token": csrf})

    assert (await act("reactivate")).status_code == 400  # already active
    assert (await act("pause")).status_code == 303
    paused = await client.get(url)
    assert "休止中" in paused.text and "活動を再開する" in paused.text
    assert (await act("pause")).status_code == 400
    assert (await act("retire")).status_code == 303
    refused = await act("bogus")
    assert refused.status_code == 400 and "現在の状態からはこの変更はできません" in refused.text
    assert (await act("reactivate")).status_code == 303
    details = [e.detail for e in await events(app, "collaborator.status_changed")]
    assert details == ["active -> paused", "paused -> retired", "retired -> active"]
    async with app.state.sessions() as db:
        row = await db.get(Collaborator, collaborator.id)
        assert row is not None and row.status == "active"
        assert row.updated_at > collaborator.updated_at


async def test_edit_profile_records_which_fields_changed(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    collaborator = await make_collaborator(app, offers=["配送", "軽トラック"])
    url = f"{BASE}/{collaborator.id}"
    await signed_in(client, app, "coordinator")
    form_page = await client.get(f"{url}/edit")
    assert form_page.status_code == 200
    assert 'value="軽トラック"' in form_page.text  # free tags come back as text
    assert re.search(r'name="offers" type="checkbox" value="配送" checked', form_page.text)
    assert 'name="email"' not in form_page.text  # contact data is not edited here
    csrf = csrf_of(form_page.text)
    base = {"org_name": "須磨配送サービス", "org_type": "company", "categories": ["elderly"],
            "wards": ["suma"], "offers": ["配送"], "offers_other": "軽トラック",
            "availability": "weekdays", "capacity": "2",
            "intro": "須磨区で軽トラックを持っています。",
            "_csrf_token": csrf}
    bad = await client.post(f"{url}/edit", data={**base, "capacity": "99", "categories": []})
    assert bad.status_code == 422 and 'href="#f-capacity"' in bad.text
    assert 'href="#f-categories"' in bad.text
    unchanged = await client.post(f"{url}/edit", data=base)
    assert unchanged.status_code == 303 and await events(app, "collaborator.updated") == []
    saved = await client.post(f"{url}/edit", data={
        **base, "offers": ["配送", "送迎"], "capacity": "3",
        "intro": "須磨区と垂水区で送迎もできます。"})
    assert saved.status_code == 303 and saved.headers["location"] == url
    [event] = await events(app, "collaborator.updated")
    assert event.detail == "fields=offers,capacity,intro"  # names only, never the text
    async with app.state.sessions() as db:
        row = await db.get(Collaborator, collaborator.id)
    assert row is not None
    assert row.offers == ["配送", "送迎", "軽トラック"] and row.capacity == 3
    assert contact_value(app.state.cipher, row, "email") == EMAIL


async def test_staff_register_a_collaborator_on_someones_behalf(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    staff = await signed_in(client, app, "coordinator")
    listing = await client.get(BASE)
    assert 'href="/admin/collaborators/new"' in listing.text
    page = await client.get(f"{BASE}/new")
    assert page.status_code == 200 and "代理で協力者を登録する" in page.text
    csrf = csrf_of(page.text)
    bad = await client.post(f"{BASE}/new", data={
        **COLLABORATOR_FORM, "phone": "12", "_csrf_token": csrf})
    assert bad.status_code == 422
    assert "同意の取得方法を選んでください" in bad.text and "電話番号は" in bad.text
    assert 'value="hanako.minato@example.jp"' in bad.text
    async with app.state.sessions() as db:
        assert (await db.exec(select(Collaborator))).first() is None
    ok = await client.post(f"{BASE}/new", data={
        **COLLABORATOR_FORM, "consent_method": "signed_paper", "_csrf_token": csrf})
    assert ok.status_code == 303
    record = await client.get(ok.headers["location"])
    assert "個人情報保護方針付きの用紙に署名を得た" in record.text
    async with app.state.sessions() as db:
        collaborator = (await db.exec(select(Collaborator))).one()
        outbox = (await db.exec(select(OutboxMessage))).all()
    assert collaborator.status == "active" and collaborator.verified_at is not None
    assert collaborator.entered_by_id == staff.id
    assert collaborator.consent_method == "signed_paper"
    assert collaborator.offers == ["会場提供", "調理", "見守り", "チラシ配り"]
    assert contact_value(app.state.cipher, collaborator, "phone") == "09011112222"
    assert outbox == []  # no confirmation email for staff entry
    [event] = await events(app, "collaborator.entered_on_behalf")
    assert event.detail == "consent=signed_paper" and event.actor == f"staff:{staff.id}"


async def test_unknown_and_unverified_collaborators_are_404(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    hidden = await make_collaborator(app, status="unverified")
    await signed_in(client, app, "coordinator")
    assert (await client.get(f"{BASE}/999999")).status_code == 404
    assert (await client.get(f"{BASE}/{hidden.id}")).status_code == 404
    assert (await client.get(f"{BASE}/" + "9" * 20)).status_code == 404
    assert (await client.get(f"{BASE}/abc")).status_code == 404
    page = await client.get(BASE)
    assert 'href="/admin/collaborators"' in page.text  # the navigation link
    response = await client.post(f"{BASE}/{hidden.id}/status", data={
        "action": "pause", "_csrf_token": csrf_of(page.text)})
    assert response.status_code == 404


async def test_audit_details_hold_no_personal_data(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await test_staff_register_a_collaborator_on_someones_behalf(client, app)
    async with app.state.sessions() as db:
        rows = (await db.exec(select(AuditEvent).where(
            col(AuditEvent.object_type) == "collaborator"))).all()
    text = " ".join(f"{e.actor} {e.detail} {e.object_id}" for e in rows)
    for value in ("hanako.minato@example.jp", "09011112222", "みなと花子", "090-1111-2222"):
        assert value not in text
