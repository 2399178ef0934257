"""The public journey through HTTP: form → confirmation → submit → email → verify."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlmodel import select

from core.crypto import hash_token
from core.db import utcnow
from core.settings import Settings
from intake.contact import contact_value
from intake.models import Proposal, VerificationToken
from intake.services import purge_unverified
from notifications.models import OutboxMessage
from notifications.worker import Worker
from tests.conftest import VALID_FORM, SmtpCapture, csrf_of
from tests.factories import link_in, open_form, submit, submit_and_verify, text_of
from tests.intake.factories import count

Client = httpx.AsyncClient


async def test_form_shows_every_field_with_japanese_labels(client: Client) -> None:
    page = await client.get("/apply")
    assert page.status_code == 200
    for name in VALID_FORM:
        assert f'name="{name}"' in page.text
    for label in ("団体名", "連絡用ニックネーム（団体の場合は所属名）", "Eメール", "電話番号",
                  "WebサイトURL", "FacebookアカウントURL", "Twitter（X）アカウント名",
                  "キャッチフレーズ", "カテゴリ", "応援内容", "活動地域",
                  "個人情報保護方針を確認しました"):
        assert label in page.text
    assert "CAPTCHA" in page.text  # the visible development notice


async def test_invalid_input_is_422_with_values_kept_and_linked_summary(client: Client) -> None:
    csrf, started = await open_form(client)
    form = {**VALID_FORM, "email": "not-an-address", "catchphrase": "あ" * 61,
            "_csrf_token": csrf, "_started": started}
    page = await client.post("/apply", data=form)
    assert page.status_code == 422
    assert 'href="#f-email"' in page.text and 'href="#f-catchphrase"' in page.text
    assert "name@example.jp のような形式" in page.text
    assert "「キャッチフレーズ」は60文字以内" in page.text
    assert 'value="not-an-address"' in page.text  # values kept
    assert 'aria-invalid="true"' in page.text


async def test_errors_in_english_when_page_is_english(client: Client) -> None:
    csrf, started = await open_form(client, "en")
    form = {**VALID_FORM, "phone": "12345", "_csrf_token": csrf, "_started": started}
    page = await client.post("/apply", data=form)
    assert page.status_code == 422
    assert "Please enter a Japanese phone number" in page.text
    assert '<html lang="en">' in page.text


async def test_confirmation_page_shows_entries_without_storing(
    client: Client, app: Litestar
) -> None:
    csrf, started = await open_form(client)
    page = await client.post("/apply", data={**VALID_FORM, "_csrf_token": csrf,
                                              "_started": started})
    assert page.status_code == 200
    assert "入力内容の確認" in page.text
    assert "地域の子どもに温かいご飯を" in page.text and "子ども" in page.text
    assert 'action="/apply/submit"' in page.text
    assert await count(app, Proposal) == 0


async def test_back_to_edit_keeps_values(client: Client) -> None:
    csrf, started = await open_form(client)
    page = await client.post("/apply", data={**VALID_FORM, "_csrf_token": csrf,
                                              "_started": started, "edit": "1"})
    assert page.status_code == 200
    assert 'value="taro.kobe@example.jp"' in page.text
    assert "長田区で子ども食堂を開きたいです。" in page.text


async def test_whole_journey_stores_sends_and_verifies(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    response = await submit(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/apply/sent"
    sent_page = await client.get("/apply/sent")
    assert "メールをご確認ください" in sent_page.text

    async with app.state.sessions() as session:
        proposal = (await session.exec(select(Proposal))).one()
    assert proposal.status == "unverified"
    assert proposal.phone_enc != "0783225211"
    cipher = app.state.cipher
    assert contact_value(cipher, proposal, "phone") == "0783225211"  # stored normalised
    assert contact_value(cipher, proposal, "twitter") == "kobe_kodomo"
    assert proposal.email_bidx == cipher.blind_index("taro.kobe@example.jp")
    assert proposal.body == "長田区で子ども食堂を開きたいです。\n会場と食材の協力者を探しています。"
    assert proposal.policy_version and proposal.consent_at is not None
    assert proposal.locale == "ja"
    assert re.fullmatch(r"OU-[A-Z0-9]{4}-[A-Z0-9]{4}", proposal.ref)

    assert await worker.sender.process_due() == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "taro.kobe@example.jp"
    assert "応募内容の確認" in message["Subject"]
    assert message.get_body(preferencelist=("html",)) is not None
    token = link_in(message)
    assert proposal.ref in text_of(message)

    confirm = await client.get(f"/verify/{token}")
    assert confirm.status_code == 200
    assert "応募を確定する" in confirm.text
    async with app.state.sessions() as session:
        unverified = await session.get(Proposal, proposal.id)
        assert unverified is not None and unverified.status == "unverified"

    done = await client.post(f"/verify/{token}", data={"_csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 200
    assert "数日以内に運営事務局からメールまたは電話でご連絡" in done.text
    async with app.state.sessions() as session:
        verified = await session.get(Proposal, proposal.id)
        assert verified is not None and verified.status == "new"
        assert verified.verified_at is not None

    again = await client.post(f"/verify/{token}", data={"_csrf_token": csrf_of(confirm.text)})
    assert again.status_code == 410
    assert "すでに使われています" in again.text
    assert (await client.get(f"/verify/{token}")).status_code == 410


async def test_english_submission_gets_english_email(
    client: Client, worker: Worker, smtp: SmtpCapture
) -> None:
    csrf, started = await open_form(client, "en")
    form = {**VALID_FORM, "_csrf_token": csrf, "_started": started}
    response = await client.post("/apply/submit", data=form, follow_redirects=False)
    assert response.status_code == 303
    await worker.sender.process_due()
    assert "Please confirm your proposal" in smtp.messages[0]["Subject"]
    assert "What happens next" in text_of(smtp.messages[0])


async def test_token_is_stored_only_as_hash(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    await submit(client)
    await worker.sender.process_due()
    token = link_in(smtp.messages[0])
    async with app.state.sessions() as session:
        row = (await session.exec(select(VerificationToken))).one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash


async def test_expired_and_unknown_tokens_get_friendly_pages(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    await submit(client)
    await worker.sender.process_due()
    token = link_in(smtp.messages[0])
    async with app.state.sessions() as session, session.begin():
        row = (await session.exec(select(VerificationToken))).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    expired = await client.get(f"/verify/{token}")
    assert expired.status_code == 410 and "有効期限が切れています" in expired.text
    csrf = csrf_of((await client.get("/apply")).text)
    posted = await client.post(f"/verify/{token}", data={"_csrf_token": csrf})
    assert posted.status_code == 410
    async with app.state.sessions() as session:
        assert (await session.exec(select(Proposal))).one().status == "unverified"
    for bogus in ("x", "A" * 43, "a" * 500):
        page = await client.get(f"/verify/{bogus}")
        assert page.status_code == 404 and "このリンクは無効です" in page.text
    # A NUL in any path is refused before routing (core.security.input_guard): the site's
    # own not-found page, in the visitor's language.
    nul = await client.get("/verify/%00")
    assert nul.status_code == 404 and "ページが見つかりません" in nul.text


async def test_unverified_proposals_are_purged_after_48_hours(
    client: Client, app: Litestar
) -> None:
    await submit(client)
    audit = app.state.audit
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=47)) == 0
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(hours=49)) == 1
    assert await count(app, Proposal) == 0
    assert await count(app, VerificationToken) == 0


async def test_verified_proposals_are_not_purged(
    client: Client, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    await submit_and_verify(client, worker, smtp)
    audit = app.state.audit
    async with app.state.sessions() as session, session.begin():
        assert await purge_unverified(session, audit, now=utcnow() + timedelta(days=3)) == 0
    assert await count(app, Proposal) == 1


async def test_missing_csrf_is_403_and_nothing_stored(client: Client, app: Litestar) -> None:
    _csrf, started = await open_form(client)
    response = await client.post("/apply/submit", data={**VALID_FORM, "_started": started})
    assert response.status_code == 403
    assert "この操作は受け付けられませんでした" in response.text
    assert await count(app, Proposal) == 0 and await count(app, OutboxMessage) == 0


@pytest.mark.parametrize("trap", [{"fax_number": "123"}, {"_started": "bogus"}])
async def test_bots_are_dropped_silently(
    client: Client, app: Litestar, trap: dict[str, str]
) -> None:
    response = await submit(client, **trap)
    assert response.status_code == 303 and response.headers["location"] == "/apply/sent"
    assert await count(app, Proposal) == 0 and await count(app, OutboxMessage) == 0


async def test_too_fast_submission_is_dropped(
    app: Litestar, client: Client, settings: Settings
) -> None:
    object.__setattr__(settings, "form_min_seconds", 30.0)
    response = await submit(client)
    assert response.status_code == 303
    assert await count(app, Proposal) == 0


async def test_invalid_submit_is_422_and_nothing_stored(client: Client, app: Litestar) -> None:
    response = await submit(client, body="あ" * 8001)
    assert response.status_code == 422
    assert "8,000文字以内" in response.text
    assert await count(app, Proposal) == 0 and await count(app, OutboxMessage) == 0


async def test_full_8000_character_japanese_body_is_accepted(
    client: Client, app: Litestar
) -> None:
    response = await submit(client, body="応" * 8000)
    assert response.status_code == 303
    assert await count(app, Proposal) == 1


async def test_oversized_body_is_friendly_413(client: Client, app: Litestar) -> None:
    csrf, started = await open_form(client)
    form = {**VALID_FORM, "_csrf_token": csrf, "_started": started, "body": "応" * 40_000}
    response = await client.post("/apply/submit", data=form)
    assert response.status_code == 413
    assert "送信された内容が大きすぎます" in response.text
    assert await count(app, Proposal) == 0


async def test_rate_limit_per_email(client: Client, app: Litestar, settings: Settings) -> None:
    object.__setattr__(settings, "submit_limit_email_per_hour", 2)
    assert (await submit(client)).status_code == 303
    assert (await submit(client)).status_code == 303
    limited = await submit(client)
    assert limited.status_code == 429
    assert "時間をおいてお試しください" in limited.text
    assert (await submit(client, email="someone.else@example.jp")).status_code == 303
    assert await count(app, Proposal) == 3


async def test_rate_limit_per_ip(client: Client, app: Litestar, settings: Settings) -> None:
    object.__setattr__(settings, "submit_limit_ip_per_hour", 1)
    assert (await submit(client)).status_code == 303
    assert (await submit(client, email="other@example.jp")).status_code == 429
    assert await count(app, Proposal) == 1


async def test_database_file_holds_no_plaintext_contact_data(
    client: Client, app: Litestar, worker: Worker, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file")
    await submit(client)
    await worker.sender.process_due()
    await app.state.engine.dispose()  # checkpoint and close so the file is complete
    path = Path(settings.database_url.split("///", 1)[1])
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for value in ("taro.kobe@example.jp", "0783225211", "078-322-5211", "こうべ太郎",
                  "kobe_kodomo", "facebook.com/kobe.kodomo"):
        assert value.encode() not in raw, value
    assert "地域の子どもに温かいご飯を".encode() in raw  # the check can see plaintext


async def test_logs_hold_no_contact_data_or_token(
    client: Client, worker: Worker, smtp: SmtpCapture, captured_logs: Any
) -> None:
    token = await submit_and_verify(client, worker, smtp)
    logs = captured_logs.getvalue()
    assert "\"route\": \"/verify/{token}\"" in logs  # requests were logged, by template
    assert "proposal submitted" in logs and "email sent" in logs
    for value in (token, "taro.kobe@example.jp", "0783225211", "こうべ太郎", "kobe_kodomo",
                  "０７８－３２２－５２１１"):
        assert value not in logs



async def test_a_replayed_form_stores_nothing_more(client: httpx.AsyncClient,
                                                   app: Litestar) -> None:
    """The signed start stamp is good for one stored submission: a bot replaying one form
    for a day, or a double click, gets the same answer and adds nothing."""
    csrf, started = await open_form(client)
    form = {**VALID_FORM, "_csrf_token": csrf, "_started": started}
    first = await client.post("/apply/submit", data=form, follow_redirects=False)
    again = await client.post("/apply/submit", data=form, follow_redirects=False)
    assert first.headers["location"] == again.headers["location"] == "/apply/sent"
    assert await count(app, Proposal) == 1 and await count(app, OutboxMessage) == 1
    fresh = await submit(client)  # a new form is a new submission
    assert fresh.status_code == 303 and await count(app, Proposal) == 2
