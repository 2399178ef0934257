"""Fixtures: an app per test on a fresh database (SQLite and PostgreSQL), a real SMTP server,
and a local hCaptcha siteverify stub."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import re
import shutil
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app import build_worker, create_app
from core.logs import JsonFormatter, quiet_libraries
from core.migrate import upgrade
from core.settings import Settings
from notifications.worker import Worker

PG_ADMIN_URL = os.environ.get(
    "OUEN_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("OUEN_REQUIRE_POSTGRES") == "1"
TABLES = (
    "story_photo", "story", "help_call", "project_member", "project", "introduction",
    "verification_token", "contact_entry", "case_note", "proposal_transition", "proposal",
    "collaborator", "outbox_message",
    "audit_event", "staff_session", "staff_user", "record_key", "self_service_link",
    "self_service_session", "rights_request", "erased_key",
)
BASE_URL = "https://ouen.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- databases ------------------------------------------------------------------------

def _pg_reachable() -> bool:
    async def probe() -> bool:
        engine = create_async_engine(PG_ADMIN_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False
        finally:
            await engine.dispose()

    return asyncio.run(probe())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if not _pg_reachable():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but not reachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL not reachable")
    name = f"ouen_test_{os.getpid()}"
    base, _, _db = PG_ADMIN_URL.rpartition("/")

    async def admin(sql: str) -> None:
        engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"{base}/{name}"
    upgrade(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ouen.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")

    async def truncate() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            # Replica role skips triggers, including the audit table's refusal to be truncated.
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(truncate())
    return url


# --- SMTP -----------------------------------------------------------------------------

@dataclass
class SmtpCapture:
    """A real SMTP server (aiosmtpd) that keeps what it receives; it can be stopped."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpCapture]:
    capture = SmtpCapture(port=free_port())
    capture.start()
    yield capture
    capture.stop()


# --- hCaptcha stub --------------------------------------------------------------------

@dataclass
class CaptchaStub:
    """Speaks hCaptcha's siteverify protocol: `pass` tokens succeed for `hostname`."""

    port: int
    hostname: str = "ouen.test"
    requests: list[dict[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/siteverify"

    def start(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                stub.requests.append(form)
                ok = form.get("response") == "pass" and form.get("secret") == "test-secret"
                body: dict[str, Any] = {"success": ok, "hostname": stub.hostname}
                if not ok:
                    body["error-codes"] = ["invalid-input-response"]
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def captcha() -> Iterator[CaptchaStub]:
    stub = CaptchaStub(port=free_port())
    stub.start()
    yield stub
    stub.stop()


# --- settings, app, client ------------------------------------------------------------

TEST_DATA_KEY = Fernet.generate_key().decode()


@pytest.fixture
def settings(database_url: str, smtp: SmtpCapture, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        base_url=BASE_URL,
        secret_key="test-secret-key-" + "x" * 32,
        data_keys=(TEST_DATA_KEY,),
        audit_key="test-audit-key-" + "y" * 32,
        index_key="test-index-key-" + "z" * 32,
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        smtp_timeout=5.0,
        mail_from="ouen@city.example.jp",
        var_dir=str(tmp_path / "var"),
        mail_dir=str(tmp_path / "var" / "mail"),
        inprocess_worker=False,
        form_min_seconds=0.0,
        submit_limit_ip_per_hour=1000,
        submit_limit_email_per_hour=1000,
        contact_name="応援プラットフォーム事務局（テスト）", contact_phone="078-555-0100",
        contact_email="madoguchi@ouen-city.test", contact_hours="平日 9:00–17:00",
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@contextlib.asynccontextmanager
async def running(
    app: Litestar, base_url: str = "http://testserver.local"
) -> AsyncIterator[httpx.AsyncClient]:
    """The app's lifespan and requests on the test's own event loop.

    Litestar's AsyncTestClient runs the lifespan and every request through a blocking portal
    (another thread, another loop); asyncpg connections are bound to the loop that made them,
    so we use httpx's ASGITransport instead. The lifespan runs in one task because
    pytest-asyncio sets a fixture up and tears it down in different tasks, and anyio's cancel
    scopes must be left in the task that entered them."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # startup failed: raise its error
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as test_client:
            yield test_client
    finally:
        stop.set()
        await task


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as test_client:
        yield test_client


@pytest.fixture
def worker(app: Litestar, settings: Settings, client: httpx.AsyncClient) -> Worker:
    """The outbox worker on the app's engine (the client fixture starts the app)."""
    return build_worker(settings, app.state.sessions, app.state.cipher)


@contextlib.contextmanager
def on_root_logger(handler: logging.Handler) -> Iterator[None]:
    """`handler` receives every record production would emit (libraries quietened as in
    production) and our own loggers' down to DEBUG, for the length of the block."""
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet_libraries()
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged during the test, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    with on_root_logger(handler):
        yield stream


# --- helpers --------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
STARTED_RE = re.compile(r'name="_started" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def started_of(html: str) -> str:
    match = STARTED_RE.search(html)
    assert match, "page has no form start time"
    return match.group(1)


VALID_FORM = {
    "org_name": "NPO法人こうべ子ども食堂ネット",
    "nickname": "こうべ太郎",
    "email": "taro.kobe@example.jp",
    "phone": "０７８－３２２－５２１１",
    "website_url": "https://kodomo.example.jp/",
    "facebook_url": "https://www.facebook.com/kobe.kodomo",
    "twitter": "@kobe_kodomo",
    "catchphrase": "地域の子どもに温かいご飯を",
    "category": "children",
    "body": "長田区で子ども食堂を開きたいです。\r\n会場と食材の協力者を探しています。",
    "ward": "nagata",
    "consent": "yes",
}
