"""Builders for the Playwright tests: our coroutines run beside Playwright's event loop, staff
and proposals seeded straight into the live server's database, the sign-in and second-factor
steps, and the emails the live server's SMTP capture receives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, TypeVar

import pyotp

from admin.credentials import Passwords, make_hasher
from admin.services import create_user, seal_totp_secret
from core.audit import AuditLog
from core.crypto import FieldCipher
from core.db import create_engine, session_factory, utcnow
from intake.models import Collaborator, CollaboratorStatus, Proposal, ProposalStatus
from tests.browser.conftest import LiveServer, assert_accessible
from tests.conftest import SmtpCapture
from tests.factories import contact_columns

PASSWORD = "a long staff passphrase 2026"
PHONE = "0783225211"
APPLICANT = ("taro.kobe@example.jp", "0783225211", "こうべ太郎")
HELPER = ("yamada.helper@example.jp", "0789998877", "やまだ花子")
T = TypeVar("T")


def in_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Playwright's sync API keeps an event loop in this thread; run ours in another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def seed(live: LiveServer, role: str, email: str) -> str | None:
    """A staff account (coordinators get a TOTP secret) and one overdue proposal."""
    settings = live.settings

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        cipher = FieldCipher(settings.data_keys, settings.index_key)
        passwords = Passwords(make_hasher(fast=True))
        secret = pyotp.random_base32() if role in ("coordinator", "admin") else None
        async with session_factory(engine)() as db, db.begin():
            user, _ = await create_user(db, passwords, AuditLog(settings.audit_key), email=email,
                                        role=role, display_name=f"{role} 花子",
                                        organisation="神戸市")
            user.password_hash = await passwords.hash(PASSWORD)
            user.must_change_password = False
            user.totp_secret_enc = seal_totp_secret(cipher, user, secret) if secret else None
            db.add(user)
            old = utcnow() - timedelta(days=30)  # overdue even over New Year
            db.add(Proposal(
                **contact_columns(cipher, utcnow(), nickname="こうべ太郎",
                                  email="taro.kobe@example.jp", phone=PHONE),
                ref="OU-LATE-0001", status=ProposalStatus.NEW, category="elderly", ward="nada",
                catchphrase="高齢者の買い物を手伝いたい", body="灘区で買い物の付き添いをします。",
                email_bidx=cipher.blind_index("taro.kobe@example.jp"),
                locale="ja", consent_at=old,
                policy_version="2026-11-01", created_at=old, verified_at=old,
            ))
        await engine.dispose()
        return secret

    return in_thread(run)


def seed_pair(live: LiveServer) -> int:
    """A proposal looking for delivery help and a collaborator who delivers nearby."""
    settings = live.settings

    async def run() -> int:
        engine = create_engine(settings.database_url)
        cipher = FieldCipher(settings.data_keys, settings.index_key)
        now = utcnow()
        async with session_factory(engine)() as db, db.begin():
            proposal = Proposal(
                **contact_columns(cipher, utcnow(), nickname=APPLICANT[2], email=APPLICANT[0],
                                  phone=APPLICANT[1]),
                ref="OU-MATCH-0001", status=ProposalStatus.SEEKING, category="elderly", ward="nada",
                catchphrase="お年寄りにお弁当を届けたい",
                body="灘区でひとり暮らしのお年寄りの見守りをしています。"
                "何よりお弁当をご自宅まで届けてくれる方を探しています。活動は土日が中心です。",
                email_bidx=cipher.blind_index(APPLICANT[0]),
                locale="ja", consent_at=now,
                policy_version="2026-11-01", created_at=now, verified_at=now,
            )
            db.add(proposal)
            db.add(Collaborator(
                **contact_columns(cipher, utcnow(), display_name=HELPER[2], email=HELPER[0],
                                  phone=HELPER[1]),
                ref="CO-HELP-0001", status=CollaboratorStatus.ACTIVE,
                org_name="まちかど配送", org_type="business",
                email_bidx=cipher.blind_index(HELPER[0]),
                categories=["elderly"], wards=["nada"],
                offers=["配送"], availability="weekends", capacity=2,
                intro="軽トラックで配達ができます。", locale="ja", consent_at=now,
                policy_version="2026-11-01", created_at=now, updated_at=now, verified_at=now,
            ))
            await db.flush()
            proposal_id = proposal.id or 0
        await engine.dispose()
        return proposal_id

    return in_thread(run)


def sign_in(page: Any, live: LiveServer, email: str) -> None:
    page.goto(live.url + "/admin/login")
    assert_accessible(page, "staff sign-in")
    page.get_by_label("Eメール").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def second_factor(page: Any, secret: str) -> None:
    page.get_by_role("heading", name="二要素認証").wait_for()
    page.get_by_label("認証アプリの6桁のコード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="次へ").click()
    page.get_by_role("heading", name="ダッシュボード").wait_for()


def wait_for_mail(smtp: SmtpCapture, count: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while len(smtp.messages) < count:
        assert time.monotonic() < deadline, "the confirmation email did not arrive"
        time.sleep(0.2)


def mail_to(live: LiveServer, address: str, count: int = 1) -> list[EmailMessage]:
    deadline = time.monotonic() + 20
    while True:
        found = [m for m in live.smtp.messages if m["To"] == address]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"no email to {address}"
        time.sleep(0.2)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())
