"""Suggestions on a proposal and the introduction lifecycle, end to end through HTTP and a
real SMTP server: nobody's contact details move until both sides have said yes."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from email.message import EmailMessage

import httpx
from litestar import Litestar
from sqlmodel import col, select

from core.db import utcnow
from core.models import AuditEvent
from intake.models import Collaborator
from matching.introductions import EXPIRE_AFTER
from matching.models import Match, MatchStatus
from matching.reminders import REMIND_AFTER, remind_and_expire
from notifications.services import Mailer
from notifications.worker import Worker
from tests.conftest import SmtpCapture, csrf_of
from tests.factories import (
    APPLICANT_NAME,
    EMAIL,
    HELPER_EMAIL,
    HELPER_NAME,
    HELPER_PHONE,
    PHONE,
    make_helper,
    make_proposal,
    signed_in,
)

LINK_RE = re.compile(r"https://ouen\.test/introductions/([A-Za-z0-9_\-]+)")
BODY = (
    "灘区でひとり暮らしのお年寄りの見守りをしています。"
    "何よりお弁当をご自宅まで届けてくれる方を探しています。活動は土日が中心です。"
)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    return str(body.get_content()) + str(html.get_content())


def token_in(message: EmailMessage) -> str:
    match = LINK_RE.search(text_of(message))
    assert match, "no introduction link in the email"
    return match.group(1)


async def actions(app: Litestar) -> list[str]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent.action).order_by(col(AuditEvent.id)))
        return [a for a in rows.all() if a.startswith("match.")]


async def answer(client: httpx.AsyncClient, token: str, decision: str) -> httpx.Response:
    page = await client.get(f"/introductions/{token}")
    assert page.status_code == 200
    return await client.post(
        f"/introductions/{token}", data={"_csrf_token": csrf_of(page.text), "decision": decision}
    )


async def propose(
    client: httpx.AsyncClient, proposal_id: int, collaborator_id: int, **extra: str
) -> httpx.Response:
    page = await client.get(f"/admin/proposals/{proposal_id}/matching")
    assert page.status_code == 200
    return await client.post(
        f"/admin/proposals/{proposal_id}/matching/propose",
        data={"_csrf_token": csrf_of(page.text), "collaborator": str(collaborator_id), **extra},
    )


async def test_suggest_propose_both_accept_and_the_introduction_arrives(
    client: httpx.AsyncClient,
    app: Litestar,
    worker: Worker,
    smtp: SmtpCapture,
    captured_logs: io.StringIO,
) -> None:
    proposal = await make_proposal(app, status="seeking", body=BODY)
    helper = await make_helper(app)
    other = await make_helper(
        app, ref="CO-OTHER-0001", org_name="翻訳の会", offers=["翻訳"], wards=["tarumi"],
        email="other@example.jp", categories=["foreign_residents"],
    )
    coordinator = await signed_in(client, app, "coordinator")

    neighbour = await make_proposal(
        app, ref="OU-PEER-00001", category="restaurants", ward="nada",
        catchphrase="食堂の厨房を活かしたい",
        body="灘区で食堂を営んでいます。軽トラックがあり、地域への配達もしています。",
    )
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    assert page.status_code == 200
    assert page.text.index(helper.ref) < page.text.index(other.ref)  # best first
    peers = page.text.split("協力できそうな他の応募")[1]
    assert neighbour.ref in peers and "配送を提供" in peers
    assert "配送" in page.text and "灘区" in page.text  # reasons in words
    for secret in (HELPER_EMAIL, HELPER_PHONE, HELPER_NAME, EMAIL, PHONE):
        assert secret not in page.text

    response = await propose(client, proposal.id or 0, helper.id or 0)
    assert response.status_code == 303
    assert await worker.sender.process_due() == 1
    ask = smtp.messages[-1]
    assert ask["To"] == HELPER_EMAIL
    body = text_of(ask)
    assert proposal.catchphrase in body
    for secret in (EMAIL, PHONE, APPLICANT_NAME):
        assert secret not in body  # nothing of the applicant's before both agree

    token = token_in(ask)
    # Opening the link (or a mail scanner following it) changes nothing.
    assert (await client.get(f"/introductions/{token}")).status_code == 200
    assert (await client.get(f"/introductions/{token}")).status_code == 200
    assert await actions(app) == ["match.proposed"]

    accepted = await answer(client, token, "accept")
    assert accepted.status_code == 200
    assert (await client.get(f"/introductions/{token}")).status_code == 410  # single use
    assert await worker.sender.process_due() == 1
    ask_applicant = smtp.messages[-1]
    assert ask_applicant["To"] == EMAIL
    body = text_of(ask_applicant)
    assert "まちかど配送" in body and "配送" in body
    for secret in (HELPER_EMAIL, HELPER_PHONE, HELPER_NAME):
        assert secret not in body

    done = await answer(client, token_in(ask_applicant), "accept")
    assert done.status_code == 200
    assert await worker.sender.process_due() == 2
    to_applicant, to_helper = sorted(smtp.messages[-2:], key=lambda m: m["To"] != EMAIL)
    assert to_applicant["To"] == EMAIL and to_helper["To"] == HELPER_EMAIL
    for message in (to_applicant, to_helper):
        assert message["Cc"] == coordinator.email
    assert HELPER_EMAIL in text_of(to_applicant) and HELPER_PHONE in text_of(to_applicant)
    assert HELPER_NAME in text_of(to_applicant)
    assert EMAIL in text_of(to_helper) and PHONE in text_of(to_helper)
    assert APPLICANT_NAME in text_of(to_helper)

    assert await actions(app) == [
        "match.proposed",
        "match.collaborator_accepted",
        "match.applicant_accepted",
        "match.introduced",
    ]
    case = await client.get(f"/admin/proposals/{proposal.id}")
    assert "match.introduced" in case.text  # on the proposal's timeline
    async with app.state.sessions() as db:
        refreshed = await db.get(type(proposal), proposal.id)
        assert refreshed is not None and refreshed.status == "matched"
    logs = captured_logs.getvalue()
    for secret in (EMAIL, PHONE, HELPER_EMAIL, HELPER_PHONE, HELPER_NAME, token):
        assert secret not in logs


async def test_a_declined_candidate_never_comes_back_for_that_proposal(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(app, body=BODY)
    helper = await make_helper(app)
    await signed_in(client, app, "coordinator")
    assert (await propose(client, proposal.id or 0, helper.id or 0)).status_code == 303
    await worker.sender.process_due()
    declined = await answer(client, token_in(smtp.messages[-1]), "decline")
    assert declined.status_code == 200
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    suggestions = page.text.split('id="suggestion-')[1:]
    assert not any(s.startswith(f"{helper.id}\"") for s in suggestions)
    assert "見送り (協力者が辞退)" in page.text  # status and who declined, in Japanese
    again = await propose(client, proposal.id or 0, helper.id or 0)
    assert again.status_code == 400
    assert await worker.sender.process_due() == 0  # nothing sent to the applicant
    assert await actions(app) == ["match.proposed", "match.collaborator_declined"]


async def test_capacity_warning_needs_a_confirmation(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    busy = await make_helper(app, capacity=1)
    earlier = await make_proposal(app, ref="OU-EARLIER-001", status="matched", body=BODY)
    async with app.state.sessions() as db, db.begin():
        now = utcnow()
        db.add(Match(proposal_id=earlier.id or 0, collaborator_id=busy.id or 0,
                     coordinator_id=(await signed_in(client, app, "coordinator")).id or 0,
                     status=MatchStatus.INTRODUCED, asked_at=now, proposed_at=now, closed_at=now))
    app.state.matching.checked = float("-inf")
    proposal = await make_proposal(app, ref="OU-LATER-0001", body=BODY)
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    assert "confirm_over_capacity" in page.text
    refused = await propose(client, proposal.id or 0, busy.id or 0)
    assert refused.status_code == 400
    assert "登録時に申告した上限数のプロジェクトにすでに参加しています" in refused.text
    confirmed = await propose(client, proposal.id or 0, busy.id or 0, confirm_over_capacity="yes")
    assert confirmed.status_code == 303
    async with app.state.sessions() as db:
        match = (await db.exec(select(Match).where(col(Match.proposal_id) == proposal.id))).one()
        assert match.over_capacity
        detail = (await db.exec(select(AuditEvent.detail).where(
            col(AuditEvent.action) == "match.proposed"))).one()
        assert "over_capacity" in detail


async def test_reminder_after_seven_days_and_expiry_after_fourteen(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(app, body=BODY)
    helper = await make_helper(app)
    await signed_in(client, app, "coordinator")
    await propose(client, proposal.id or 0, helper.id or 0)
    await worker.sender.process_due()
    first = token_in(smtp.messages[-1])
    mailer = Mailer(app.state.cipher, "https://ouen.test", "city.example.jp")
    later = utcnow() + REMIND_AFTER + timedelta(hours=1)
    async with app.state.sessions() as db, db.begin():
        assert await remind_and_expire(db, app.state.audit, mailer, now=later) == (1, 0)
    async with app.state.sessions() as db, db.begin():
        assert await remind_and_expire(db, app.state.audit, mailer, now=later) == (0, 0)
    assert await worker.sender.process_due(now=later) == 1
    reminder = smtp.messages[-1]
    assert reminder["Subject"].startswith("【リマインド】")
    second = token_in(reminder)
    assert (await client.get(f"/introductions/{first}")).status_code == 410
    assert (await client.get(f"/introductions/{second}")).status_code == 200
    expired_at = utcnow() + EXPIRE_AFTER + timedelta(hours=1)
    async with app.state.sessions() as db, db.begin():
        assert await remind_and_expire(db, app.state.audit, mailer, now=expired_at) == (0, 1)
    assert (await client.get(f"/introductions/{second}")).status_code == 410
    assert await actions(app) == ["match.proposed", "match.reminded", "match.expired"]


async def test_withdrawn_requests_and_unknown_links_are_gone(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(app, body=BODY)
    helper = await make_helper(app)
    await signed_in(client, app, "coordinator")
    await propose(client, proposal.id or 0, helper.id or 0)
    await worker.sender.process_due()
    token = token_in(smtp.messages[-1])
    async with app.state.sessions() as db:
        match = (await db.exec(select(Match))).one()
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    withdrawn = await client.post(
        f"/admin/proposals/{proposal.id}/matching/{match.id}/withdraw",
        data={"_csrf_token": csrf_of(page.text)},
    )
    assert withdrawn.status_code == 303
    assert (await client.get(f"/introductions/{token}")).status_code == 410
    gone = await client.post(f"/introductions/{token}", data={"_csrf_token": csrf_of(page.text),
                                                               "decision": "accept"})
    assert gone.status_code == 410
    assert (await client.get("/introductions/" + "x" * 43)).status_code == 410
    assert (await client.get("/introductions/" + "x" * 500)).status_code == 410


async def test_editors_cannot_match_and_nobody_can_match_a_closed_case(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="completed", body=BODY)
    helper = await make_helper(app)
    await signed_in(client, app, "editor")
    assert (await client.get(f"/admin/proposals/{proposal.id}/matching")).status_code == 403
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(
        (await client.get("/admin/")).text)})
    await signed_in(client, app, "coordinator")
    refused = await propose(client, proposal.id or 0, helper.id or 0)
    assert refused.status_code == 400


async def test_new_paused_and_edited_collaborators_show_within_seconds(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, body=BODY)
    await signed_in(client, app, "coordinator")
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    assert 'id="suggestion-' not in page.text
    helper = await make_helper(app)
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    assert f'id="suggestion-{helper.id}"' in page.text
    async with app.state.sessions() as db, db.begin():
        row = await db.get(Collaborator, helper.id)
        assert row is not None
        row.status, row.updated_at = "paused", utcnow()
        db.add(row)
    app.state.matching.checked = float("-inf")
    page = await client.get(f"/admin/proposals/{proposal.id}/matching")
    assert f'id="suggestion-{helper.id}"' not in page.text


async def test_a_collaborators_page_lists_the_open_proposals_and_calls_they_fit(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    from matching.models import Call, Project

    fits = await make_proposal(app, ref="OU-FITS-000001", body=BODY)
    far = await make_proposal(app, ref="OU-FAR-0000001", category="foreign_residents",
                              ward="nishi", body="案内を訳してくれる方を探しています。")
    helper = await make_helper(app)
    coordinator = await signed_in(client, app, "coordinator")
    async with app.state.sessions() as db, db.begin():
        project = Project(proposal_id=far.id or 0, created_by_id=coordinator.id or 0,
                          created_at=utcnow())
        db.add(project)
        await db.flush()
        db.add(Call(project_id=project.id or 0, title="お弁当の配達ボランティア",
                    needed="灘区のお宅へ土曜日にお弁当を届けてくださる方。",
                    category="elderly", ward="nada", opened_at=utcnow()))
    page = await client.get(f"/admin/collaborators/{helper.id}")
    assert page.status_code == 200
    section = page.text.split("この協力者に合う対応中の応募と募集")[1]
    assert fits.ref in section and "お弁当の配達ボランティア" in section
    # The translation request fits a delivery helper worse (if it is listed at all).
    assert far.ref not in section or section.index(fits.ref) < section.index(far.ref)
    assert "配送を提供" in section


async def test_nothing_moves_once_the_case_closed_or_the_collaborator_left(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    from admin.cases import change_status
    from admin.services import staff_actor
    from intake.collaborators import change_status as collaborator_status

    proposal = await make_proposal(app, status="seeking", body=BODY)
    helper = await make_helper(app)
    coordinator = await signed_in(client, app, "coordinator")
    await propose(client, proposal.id or 0, helper.id or 0)
    await worker.sender.process_due()
    accepted = await answer(client, token_in(smtp.messages[-1]), "accept")
    assert accepted.status_code == 200
    await worker.sender.process_due()
    applicant_token = token_in(smtp.messages[-1])
    async with app.state.sessions() as db, db.begin():
        row = await db.get(Collaborator, helper.id)
        assert row is not None
        await collaborator_status(db, app.state.audit, row, "retire",
                                         staff_actor(coordinator))
    sent = len(smtp.messages)
    assert (await client.get(f"/introductions/{applicant_token}")).status_code == 410
    assert await worker.sender.process_due() == 0 and len(smtp.messages) == sent
    assert "match.withdrawn" in await actions(app)

    # A case that closes withdraws its open requests too.
    other = await make_proposal(app, ref="OU-CLOSE-00001", status="seeking", body=BODY)
    second = await make_helper(app, ref="CO-SECOND-0001", email="second@example.jp")
    await propose(client, other.id or 0, second.id or 0)
    await worker.sender.process_due()
    link = token_in(smtp.messages[-1])
    async with app.state.sessions() as db, db.begin():
        case = await db.get(type(other), other.id)
        assert case is not None
        await change_status(db, app.state.audit, case, "withdrawn", "",
                                   staff_actor(coordinator))
    assert (await client.get(f"/introductions/{link}")).status_code == 410
    async with app.state.sessions() as db:
        statuses = (await db.exec(select(Match.status))).all()
    assert sorted(statuses) == ["withdrawn", "withdrawn"]


async def test_contact_values_written_into_the_text_are_blacked_out_before_consent(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture
) -> None:
    proposal = await make_proposal(
        app, status="seeking",
        body=BODY
        + f"連絡は {PHONE[:3]}-{PHONE[3:6]}-{PHONE[6:]} か {EMAIL} まで、{APPLICANT_NAME}",
    )
    helper = await make_helper(
        app, intro=f"軽トラックで配達ができます。{HELPER_EMAIL} にご連絡ください。")
    await signed_in(client, app, "coordinator")
    await propose(client, proposal.id or 0, helper.id or 0)
    await worker.sender.process_due()
    ask = text_of(smtp.messages[-1])
    token = token_in(smtp.messages[-1])
    page = (await client.get(f"/introductions/{token}")).text
    for shown in (ask, page):
        assert EMAIL not in shown and APPLICANT_NAME not in shown
        assert PHONE[6:] not in shown and "[…]" in shown
    await answer(client, token, "accept")
    await worker.sender.process_due()
    assert HELPER_EMAIL not in text_of(smtp.messages[-1])
