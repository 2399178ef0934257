"""Shared builders for tests: staff accounts and sign-in, proposals and the staff steps many
tests take, the citizen's form and email link, collaborators, stories and images. Test
modules import from here (and tests/conftest.py), never from each other; builders used in
one area only live in that area's factories.py."""

from __future__ import annotations

import io
import re
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote

import httpx
import pyotp
from litestar import Litestar
from PIL import Image
from sqlmodel import col, select

from admin.models import StaffUser
from admin.services import create_user, seal_totp_secret
from core.crypto import FieldCipher
from core.db import utcnow
from core.models import AuditEvent, RecordKey
from intake.contact import sealed
from intake.models import Collaborator, Proposal
from intake.search import index_proposal
from notifications.worker import Worker
from publishing.models import Story, StoryPhoto
from tests.conftest import VALID_FORM, SmtpCapture, csrf_of, started_of

PASSWORD = "correct horse battery staple"
EMAIL, PHONE = "taro.kobe@example.jp", "0783225211"
VERIFY_LINK_RE = re.compile(r"https://ouen\.test/verify/([A-Za-z0-9_\-]+)")


# --- staff ---------------------------------------------------------------------------------

async def make_staff(app: Litestar, role: str, email: str | None = None,
                     must_change: bool = False, totp: bool = False) -> tuple[StaffUser, str | None]:
    """An account with a known password (and a TOTP secret when `totp`)."""
    state = app.state
    secret = pyotp.random_base32() if totp else None
    async with state.sessions() as db, db.begin():
        user, _otp = await create_user(db, state.passwords, state.audit,
                                       email=email or f"{role}@city.example.jp", role=role,
                                       organisation="神戸市")
        user.password_hash = await state.passwords.hash(PASSWORD)
        user.must_change_password = must_change
        user.totp_secret_enc = seal_totp_secret(state.cipher, user, secret) if secret else None
        db.add(user)
    return user, secret


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/admin/login")
    return await client.post("/admin/login", data={"email": email, "password": password,
                                                   "_csrf_token": csrf_of(page.text)})


async def signed_in(client: httpx.AsyncClient, app: Litestar, role: str) -> StaffUser:
    user, _ = await make_staff(app, role, email=f"{role}.case@city.example.jp")
    response = await login(client, user.email)
    assert response.status_code == 303
    return user


# --- proposals and case work ---------------------------------------------------------------

def contact_columns(cipher: FieldCipher, now: datetime, **contact: str | None
                    ) -> dict[str, Any]:
    """A person's contact values sealed as the app seals them: their own record key (as the
    `key` relationship) and the `<field>_enc` columns."""
    key, columns = sealed(cipher, contact, now)
    return {**columns, "key": RecordKey(**key)}


async def make_proposal(app: Litestar, contact: dict[str, str | None] | None = None,
                        **overrides: Any) -> Proposal:
    """A proposal as staff see it (verified and in the search index unless `unverified`);
    `contact` replaces some of its contact values (nickname, email, phone …)."""
    cipher = app.state.cipher
    now = utcnow()
    people = {"nickname": "こうべ太郎", "email": EMAIL, "phone": PHONE, **(contact or {})}
    values: dict[str, Any] = {
        "ref": f"OU-TEST-{utcnow().microsecond:06d}"[:16], "status": "new",
        "category": "elderly", "ward": "nada", "catchphrase": "高齢者の買い物を手伝いたい",
        "body": "灘区で高齢の方の買い物を手伝います。",
        **contact_columns(cipher, now, **people),
        "email_bidx": cipher.blind_index(people["email"] or ""), "locale": "ja",
        "consent_at": now, "policy_version": "2026-11-01", "created_at": now,
        "verified_at": now,
    }
    values.update(overrides)
    async with app.state.sessions() as db, db.begin():
        proposal = Proposal(**values)
        db.add(proposal)
        await db.flush()
        await db.refresh(proposal)
        if proposal.status != "unverified":  # as verification and staff entry do
            await index_proposal(db, proposal)
    return proposal


async def status_change(client: httpx.AsyncClient, proposal_id: int, to: str,
                        reason: str = "") -> httpx.Response:
    """A coordinator moves a case on from its page, as the status form does."""
    url = f"/admin/proposals/{proposal_id}"
    page = await client.get(url)
    return await client.post(f"{url}/status", data={"to": to, "reason": reason,
                                                    "_csrf_token": csrf_of(page.text)})


async def search(client: httpx.AsyncClient, base: str, **params: str) -> httpx.Response:
    """Filter a staff list as the form does: POST, then follow the redirect. The search term
    never appears in the URL, only its ciphertext."""
    page = await client.get(base)
    posted = await client.post(f"{base}/search", data={"_csrf_token": csrf_of(page.text),
                                                       **params})
    assert posted.status_code == 303
    location = posted.headers["location"]
    if params.get("q"):
        assert "qe=" in location and params["q"] not in unquote(location)
    return await client.get(location)


def case_links(html: str) -> int:
    return len(re.findall(r'href="/admin/proposals/\d+"', html))


async def events(app: Litestar, action: str) -> list[AuditEvent]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(AuditEvent).where(col(AuditEvent.action) == action))
        return list(rows.all())


# --- the citizen's proposal form and its email ---------------------------------------------

async def open_form(client: httpx.AsyncClient, lang: str = "ja") -> tuple[str, str]:
    page = await client.get(f"/apply?lang={lang}")
    assert page.status_code == 200
    return csrf_of(page.text), started_of(page.text)


async def submit(client: httpx.AsyncClient, **overrides: str) -> Any:
    csrf, started = await open_form(client)
    form = {**VALID_FORM, "_csrf_token": csrf, "_started": started, **overrides}
    return await client.post("/apply/submit", data=form, follow_redirects=False)


async def submit_and_verify(client: httpx.AsyncClient, worker: Worker, smtp: SmtpCapture) -> str:
    """The whole citizen journey; returns the token from the email."""
    await submit(client)
    await worker.sender.process_due()
    token = link_in(smtp.messages[-1])
    csrf = csrf_of((await client.get(f"/verify/{token}")).text)
    await client.post(f"/verify/{token}", data={"_csrf_token": csrf})
    return token


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def link_in(message: EmailMessage) -> str:
    match = VERIFY_LINK_RE.search(text_of(message))
    assert match, "no verification link in the email"
    return match.group(1)


# --- collaborators -------------------------------------------------------------------------

COLLABORATOR_FORM: dict[str, Any] = {
    "display_name": "みなと花子",
    "org_name": "みなと食堂",
    "org_type": "business",
    "email": "hanako.minato@example.jp",
    "phone": "０９０－１１１１－２２２２",
    "categories": ["children", "elderly"],
    "wards": ["chuo", "hyogo"],
    "offers": ["会場提供", "調理"],
    "offers_other": "見守り、チラシ配り",
    "availability": "weekends",
    "capacity": "２",
    "intro": "中央区で食堂を営んでいます。\r\n週末は店舗を会場として貸し出せます。",
    "consent": "yes",
}
COLLABORATOR_EMAIL, COLLABORATOR_PHONE, COLLABORATOR_NAME = (
    "jiro.suma@example.jp", "0789991234", "すま次郎")
HELPER_EMAIL, HELPER_PHONE, HELPER_NAME = "yamada.helper@example.jp", "0789998877", "やまだ花子"
APPLICANT_NAME = "こうべ太郎"


async def make_collaborator(app: Litestar, **overrides: Any) -> Collaborator:
    """An active collaborator in Suma with the COLLABORATOR_* contact values."""
    cipher = app.state.cipher
    now = utcnow()
    values: dict[str, Any] = {
        "ref": f"CO-TEST-{now.microsecond:06d}"[:16], "status": "active",
        **contact_columns(cipher, now, display_name=COLLABORATOR_NAME, email=COLLABORATOR_EMAIL,
                          phone=COLLABORATOR_PHONE),
        "org_name": "須磨配送サービス", "org_type": "company",
        "email_bidx": cipher.blind_index(COLLABORATOR_EMAIL),
        "categories": ["elderly"], "wards": ["suma"], "offers": ["配送"],
        "availability": "weekdays", "capacity": 2, "intro": "須磨区で軽トラックを持っています。",
        "locale": "ja", "consent_at": now, "policy_version": "2026-11-01", "created_at": now,
        "updated_at": now, "verified_at": now,
    }
    values.update(overrides)
    async with app.state.sessions() as db, db.begin():
        collaborator = Collaborator(**values)
        db.add(collaborator)
        await db.flush()
        await db.refresh(collaborator)
    return collaborator


async def make_helper(app: Litestar, **overrides: Any) -> Collaborator:
    """An active collaborator in Nada who delivers, with the HELPER_* contact values (`email`
    replaces the address), for the matching tests: the suggestions are refreshed at once."""
    cipher = app.state.cipher
    now = utcnow()
    email = overrides.pop("email", HELPER_EMAIL)
    values: dict[str, Any] = {
        "ref": f"CO-T{now.microsecond:06d}"[:16],
        "status": "active",
        **contact_columns(cipher, now, display_name=HELPER_NAME, email=email,
                          phone=HELPER_PHONE),
        "org_name": "まちかど配送",
        "org_type": "business",
        "email_bidx": cipher.blind_index(email),
        "categories": ["elderly"],
        "wards": ["nada"],
        "offers": ["配送"],
        "availability": "weekends",
        "capacity": 2,
        "intro": "軽トラックで配達ができます。"
        "昨年は高齢者の見守り活動にスタッフとして参加しました。",
        "locale": "ja",
        "consent_at": now,
        "policy_version": "2026-11-01",
        "created_at": now,
        "updated_at": now,
        "verified_at": now,
    }
    values.update(overrides)
    async with app.state.sessions() as db, db.begin():
        collaborator = Collaborator(**values)
        db.add(collaborator)
        await db.flush()
        await db.refresh(collaborator)
    app.state.matching.checked = float("-inf")  # as if a few seconds had passed
    return collaborator


# --- stories and images --------------------------------------------------------------------

def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1200, 800), **save: Any) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, (30, 120, 200)).save(out, fmt, **save)
    return out.getvalue()


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


async def make_story(app: Litestar, slug: str, **overrides: Any) -> Story:
    """A story written straight to the database (published unless overridden)."""
    proposal = overrides.pop("proposal", None) or await make_proposal(
        app, ref=f"OU-S-{slug[:10]}".upper()[:16]
    )
    author = overrides.pop("author", None)
    if author is None:
        author, _ = await make_staff(app, "editor", email=f"editor.{slug}@city.example.jp")
    now = utcnow()
    values: dict[str, Any] = {
        "proposal_id": proposal.id, "slug": slug, "title": f"物語 {slug}",
        "summary": "子ども食堂がはじまりました。", "body_md": "本文",
        "body_html": "<p>本文です。</p>",
        "category": "children", "ward": "nagata", "status": "published", "author_id": author.id,
        "created_at": now, "updated_at": now, "published_at": now,
    }
    values.update(overrides)
    async with app.state.sessions() as db, db.begin():
        story = Story(**values)
        db.add(story)
        await db.flush()
        await db.refresh(story)
    app.state.public.forget()
    return story


async def add_photo(app: Litestar, story: Story, alt: str = "配膳の様子") -> StoryPhoto:
    async with app.state.sessions() as db, db.begin():
        photo = StoryPhoto(story_id=story.id or 0, alt=alt, mime="image/jpeg", width=40,
                           height=30, data=jpeg(), created_at=utcnow())
        db.add(photo)
        await db.flush()
        await db.refresh(photo)
    return photo
