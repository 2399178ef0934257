"""A collaborator registers through HTTP: form → confirmation → submit → email → verify."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlmodel import col, select

from app import create_app
from core.db import utcnow
from core.models import AuditEvent
from core.settings import Settings
from intake.contact import contact_value
from intake.models import Collaborator, Proposal, VerificationToken
from intake.services import purge_unverified
from notifications.models import OutboxMessage
from notifications.worker import Worker
from tests.conftest import CaptchaStub, SmtpCapture, csrf_of, running
from tests.factories import COLLABORATOR_FORM, link_in, text_of
from tests.factories import submit as submit_proposal
from tests.intake.factories import (
    PERSONAL,
    captcha_settings,
    count,
    open_collaborator_form,
    register,
)

Client = httpx.AsyncClient


async def stored(app: Litestar) -> list[Collaborator]:
    async with app.state.sessions() as session:
        return list((await session.exec(select(Collaborator))).all())


async def audit_events(app: Litestar, action: str) -> list[AuditEvent]:
    async with app.state.sessions() as session:
        rows = await session.exec(select(AuditEvent).where(col(AuditEvent.action) == action))
        return list(rows.all())


async def test_form_groups_choices_in_fieldsets_without_javascript(client: Client) -> None:
    page = await client.get("/collaborate")
    assert page.status_code == 200 and "<script" not in page.text
    for legend in ("関心のあるカテゴリ", "協力できる地域", "協力できること", "協力できる時間帯"):
        assert re.search(rf"<legend>{legend}\s*<span", page.text), legend
    assert page.text.count('name="categories" type="checkbox"') == 12
    assert page.text.count('name="wards" type="checkbox"') == 10
    assert page.text.count('name="offers" type="checkbox"') == 11
    assert page.text.count('name="availability" type="radio"') == 4
    for name in ("display_name", "org_name", "org_type", "email", "phone", "offers_other",
                 "capacity", "intro", "consent", "fax_number", "call"):
        assert f'name="{name}"' in page.text, name
    assert "連絡用のお名前（ニックネーム可）" in page.text and "会場提供" in page.text
    assert 'id="f-categories"' in page.text  # where the error summary's link lands


async def test_home_and_navigation_link_to_the_form(client: Client) -> None:
    home = await client.get("/")
    assert 'href="/collaborate"' in home.text and "協力者として登録する" in home.text


async def test_call_is_carried_as_a_hidden_field(client: Client) -> None:
    page = await client.get("/collaborate?call=7")
    assert 'name="call" value="7"' in page.text and "第7号" in page.text
    junk = await client.get("/collaborate?call=<b>")
    assert 'name="call" value=""' in junk.text and "<b>" not in junk.text


async def test_invalid_input_is_422_with_values_kept_and_nothing_stored(
    client: Client, app: Litestar
) -> None:
    csrf, started = await open_collaborator_form(client)
    form = {**COLLABORATOR_FORM, "categories": [], "email": "not-an-address",
            "offers_other": "あ" * 31, "capacity": "0", "_csrf_token": csrf,
            "_started": started}
    page = await client.post("/collaborate", data=form)
    assert page.status_code == 422
    for anchor in ("#f-email", "#f-categories", "#f-offers_other", "#f-capacity"):
        assert f'href="{anchor}"' in page.text
    assert "「関心のあるカテゴリ」を1つ以上選んでください。" in page.text
    assert "1つにつき30文字以内" in page.text and "1から20までの数字" in page.text
    assert 'value="not-an-address"' in page.text and 'value="みなと食堂"' in page.text
    assert re.search(r'name="offers" type="checkbox" value="会場提供" checked', page.text)
    assert re.search(r'name="wards" type="checkbox" value="chuo" checked', page.text)
    assert re.search(r'name="availability" type="radio" value="weekends" checked', page.text)
    assert 'aria-describedby="categories-hint categories-error"' in page.text
    assert await count(app, Collaborator) == 0 and await count(app, OutboxMessage) == 0


async def test_errors_in_english_when_page_is_english(client: Client) -> None:
    csrf, started = await open_collaborator_form(client, "/collaborate?lang=en")
    form = {**COLLABORATOR_FORM, "offers": [], "offers_other": "", "_csrf_token": csrf,
            "_started": started}
    page = await client.post("/collaborate", data=form)
    assert page.status_code == 422 and '<html lang="en">' in page.text
    assert "Please tick or write at least one thing you can offer." in page.text
    assert "Providing a venue" in page.text  # the suggestions, in English


async def test_confirmation_page_shows_entries_and_carries_them(
    client: Client, app: Litestar
) -> None:
    csrf, started = await open_collaborator_form(client)
    page = await client.post("/collaborate", data={**COLLABORATOR_FORM, "_csrf_token": csrf,
                                                    "_started": started})
    assert page.status_code == 200 and "入力内容の確認" in page.text
    assert "会場提供、調理、見守り、チラシ配り" in page.text
    assert "子ども、高齢者" in page.text and "中央区、兵庫区" in page.text and "土日祝" in page.text
    assert 'action="/collaborate/submit"' in page.text
    for hidden in ('name="categories" value="elderly"', 'name="offers" value="調理"',
                   'name="offers_other" value="見守り、チラシ配り"'):
        assert hidden in page.text
    assert await count(app, Collaborator) == 0


async def test_back_to_edit_keeps_values(client: Client) -> None:
    csrf, started = await open_collaborator_form(client)
    page = await client.post("/collaborate", data={**COLLABORATOR_FORM, "_csrf_token": csrf,
                                                    "_started": started, "edit": "1"})
    assert page.status_code == 200
    assert 'value="hanako.minato@example.jp"' in page.text
    assert re.search(r'name="categories" type="checkbox" value="elderly" checked', page.text)
    assert 'value="見守り、チラシ配り"' in page.text


async def test_whole_journey_stores_sends_and_activates(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    response = await register(client)
    assert response.status_code == 303 and response.headers["location"] == "/collaborate/sent"
    assert "メールをご確認ください" in (await client.get("/collaborate/sent")).text

    [collaborator] = await stored(app)
    cipher = app.state.cipher
    assert collaborator.status == "unverified" and collaborator.verified_at is None
    assert re.fullmatch(r"CO-[A-Z0-9]{4}-[A-Z0-9]{4}", collaborator.ref)
    assert contact_value(cipher, collaborator, "display_name") == "みなと花子"
    assert contact_value(cipher, collaborator, "phone") == "09011112222"  # stored normalised
    assert collaborator.email_bidx == cipher.blind_index("hanako.minato@example.jp")
    assert collaborator.categories == ["children", "elderly"]
    assert collaborator.wards == ["chuo", "hyogo"]
    assert collaborator.offers == ["会場提供", "調理", "見守り", "チラシ配り"]
    assert collaborator.availability == "weekends" and collaborator.capacity == 2
    assert collaborator.intro.count("\n") == 1 and "\r" not in collaborator.intro
    assert collaborator.consent_at and collaborator.policy_version
    assert collaborator.consent_method == "web_form" and collaborator.entered_by_id is None
    assert collaborator.locale == "ja" and collaborator.call_id is None
    [submitted] = await audit_events(app, "collaborator.submitted")
    assert submitted.detail == "source=web locale=ja"
    assert submitted.object_type == "collaborator" and submitted.object_id == str(collaborator.id)
    assert await count(app, OutboxMessage) == 1

    assert await worker.sender.process_due() == 1
    [message] = smtp.messages
    assert message["To"] == "hanako.minato@example.jp"
    assert "協力者登録の確認のお願い" in message["Subject"]
    assert collaborator.ref in message["Subject"]
    assert message.get_body(preferencelist=("html",)) is not None
    assert "協力できること：会場提供、調理、見守り、チラシ配り" in text_of(message)
    token = link_in(message)

    confirm = await client.get(f"/verify/{token}")
    assert confirm.status_code == 200 and "登録を確定する" in confirm.text
    assert (await stored(app))[0].status == "unverified"  # a GET changes nothing

    done = await client.post(f"/verify/{token}", data={"_csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 200 and "協力者登録が完了しました" in done.text
    assert collaborator.ref in done.text
    [active] = await stored(app)
    assert active.status == "active" and active.verified_at is not None
    [verified] = await audit_events(app, "collaborator.verified")
    assert verified.detail == "status unverified -> active"

    again = await client.post(f"/verify/{token}", data={"_csrf_token": csrf_of(confirm.text)})
    assert again.status_code == 410 and "協力者登録は完了しています" in again.text
    assert (await client.get(f"/verify/{token}")).status_code == 410


async def test_english_registration_gets_english_email(
    client: Client, worker: Worker, smtp: SmtpCapture
) -> None:
    assert (await register(client, "/collaborate?lang=en")).status_code == 303
    await worker.sender.process_due()
    message = smtp.messages[0]
    assert "Please confirm your registration as a collaborator" in message["Subject"]
    body = text_of(message)
    assert "What you can offer: Providing a venue, Cooking, 見守り, チラシ配り" in body
    assert "What happens next" in body


async def test_expired_link_leads_back_to_the_collaborator_form(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    await register(client)
    await worker.sender.process_due()
    token = link_in(smtp.messages[0])
    async with app.state.sessions() as session, session.begin():
        row = (await session.exec(select(VerificationToken))).one()
        assert row.collaborator_id is not None and row.proposal_id is None
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    page = await client.get(f"/verify/{token}")
    assert page.status_code == 410 and 'href="/collaborate"' in page.text
    csrf, _started = await open_collaborator_form(client)
    posted = await client.post(f"/verify/{token}", data={"_csrf_token": csrf})
    assert posted.status_code == 410
    assert (await stored(app))[0].status == "unverified"


async def test_answering_a_call_keeps_the_call(client: Client, app: Litestar) -> None:
    response = await register(client, "/collaborate?call=12", call="12")
    assert response.status_code == 303
    assert (await stored(app))[0].call_id == 12
    [event] = await audit_events(app, "collaborator.submitted")
    assert event.detail.startswith("source=call")


async def test_unverified_collaborators_are_purged_with_proposals(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    await register(client)
    await register(client, email="second@example.jp")
    await submit_proposal(client)
    await worker.sender.process_due()
    token = link_in(smtp.messages[0])
    csrf = csrf_of((await client.get(f"/verify/{token}")).text)
    await client.post(f"/verify/{token}", data={"_csrf_token": csrf})
    audit = app.state.audit
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=47)) == 0
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=49),
                                      dry_run=True) == 2
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=49)) == 2
    [kept] = await stored(app)
    assert kept.status == "active"
    assert await count(app, Proposal) == 0
    assert await count(app, VerificationToken) == 1  # the used token of the one kept
    purges = {e.object_type: e.detail for e in await audit_events(app,
                                                                   "retention.purge_unverified")}
    assert purges == {"proposal": "deleted=1", "collaborator": "deleted=1"}


@pytest.mark.parametrize("trap", [{"fax_number": "123"}, {"_started": "bogus"}])
async def test_bots_are_dropped_silently(
    client: Client, app: Litestar, trap: dict[str, str]
) -> None:
    response = await register(client, **trap)
    assert response.status_code == 303 and response.headers["location"] == "/collaborate/sent"
    assert await count(app, Collaborator) == 0 and await count(app, OutboxMessage) == 0


async def test_too_fast_submission_is_dropped(
    client: Client, app: Litestar, settings: Settings
) -> None:
    object.__setattr__(settings, "form_min_seconds", 30.0)
    assert (await register(client)).status_code == 303
    assert await count(app, Collaborator) == 0


async def test_invalid_submit_is_422_and_nothing_stored(client: Client, app: Litestar) -> None:
    response = await register(client, intro="あ" * 2001, wards=["chuo", "osaka"])
    assert response.status_code == 422
    assert "2,000文字以内" in response.text
    assert "「協力できる地域」を一覧から選んでください" in response.text
    assert await count(app, Collaborator) == 0 and await count(app, OutboxMessage) == 0
    assert await audit_events(app, "collaborator.submitted") == []


async def test_missing_csrf_is_403(client: Client, app: Litestar) -> None:
    _csrf, started = await open_collaborator_form(client)
    response = await client.post("/collaborate/submit",
                                 data={**COLLABORATOR_FORM, "_started": started})
    assert response.status_code == 403 and await count(app, Collaborator) == 0


async def test_rate_limit_per_email_has_its_own_counter(
    client: Client, app: Litestar, settings: Settings
) -> None:
    object.__setattr__(settings, "submit_limit_email_per_hour", 2)
    assert (await register(client)).status_code == 303
    assert (await register(client)).status_code == 303
    limited = await register(client)
    assert limited.status_code == 429 and "登録がありました" in limited.text
    assert (await register(client, email="someone.else@example.jp")).status_code == 303
    # Proposals count separately: the same address may still propose.
    assert (await submit_proposal(client, email="hanako.minato@example.jp")).status_code == 303
    assert await count(app, Collaborator) == 3


async def test_rate_limit_per_ip(client: Client, app: Litestar, settings: Settings) -> None:
    object.__setattr__(settings, "submit_limit_ip_per_hour", 1)
    assert (await register(client)).status_code == 303
    assert (await register(client, email="other@example.jp")).status_code == 429
    assert await count(app, Collaborator) == 1


async def test_captcha_is_checked_on_submit(settings: Settings, captcha: CaptchaStub) -> None:
    app = create_app(captcha_settings(settings, captcha))
    async with running(app, "http://testserver.local") as client:
        wrong = await register(client, **{"h-captcha-response": "wrong"})
        assert wrong.status_code == 422 and "CAPTCHAの確認ができませんでした" in wrong.text
        assert 'name="offers_other" value="見守り、チラシ配り"' in wrong.text  # entries survive
        assert await count(app, Collaborator) == 0
        passed = await register(client, **{"h-captcha-response": "pass"})
        assert passed.status_code == 303 and await count(app, Collaborator) == 1


async def test_no_personal_data_in_logs_urls_or_audit(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture, captured_logs: Any
) -> None:
    response = await register(client)
    await worker.sender.process_due()
    token = link_in(smtp.messages[0])
    csrf = csrf_of((await client.get(f"/verify/{token}")).text)
    await client.post(f"/verify/{token}", data={"_csrf_token": csrf})
    logs = captured_logs.getvalue()
    assert "collaborator submitted" in logs and "collaborator verified" in logs
    async with app.state.sessions() as session:
        audit = " ".join(f"{e.actor} {e.detail} {e.object_id}" for e in
                         (await session.exec(select(AuditEvent))).all())
    for value in (*PERSONAL, token):
        assert value not in logs, value
        assert value not in audit, value
        assert value not in response.headers["location"]


async def test_database_file_holds_no_plaintext_contact_data(
    client: Client, app: Litestar, worker: Worker, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file")
    await register(client)
    await worker.sender.process_due()
    await app.state.engine.dispose()  # checkpoint and close so the file is complete
    path = Path(settings.database_url.split("///", 1)[1])
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for value in PERSONAL:
        assert value.encode() not in raw, value
    assert "週末は店舗を会場として貸し出せます".encode() in raw  # the check can see plaintext
