"""create_app(settings): wiring only."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jinja2
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.auth import LoginRequired, PasswordChangeRequired, to_login, to_password
from admin.calendar import japan_time
from admin.case_controllers import CaseController
from admin.cases import screened
from admin.collaborator_controllers import CollaboratorController
from admin.controllers import AuthController, DashboardController
from admin.credentials import Passwords, make_hasher
from admin.match_controllers import MatchController
from admin.project_controllers import ProjectController
from admin.report_controllers import ReportController
from admin.sessions import create_session_store
from admin.story_controllers import StoryController
from admin.user_controllers import UserController
from core.audit import ANCHOR_FILE, AuditLog, write_anchor
from core.crypto import FieldCipher, Signer
from core.db import create_engine, is_sqlite, provide_db_session, session_factory
from core.errors import http_error, unhandled_error
from core.health import healthz, readyz
from core.http import StreamTransport
from core.logs import configure_logging, request_logging
from core.ratelimit import create_rate_limiter
from core.security import MAX_BODY_BYTES, csrf_token_guard, input_guard, security_headers
from core.settings import Settings, load_settings
from intake.collaborator_controllers import CollaborateController
from intake.controllers import ApplyController, VerifyController
from intake.services import purge_unverified
from intake.writer import SubmissionWriter
from matching.controllers import CallController, IntroductionController
from matching.introductions import remind_and_expire
from matching.service import MatchingIndex, OpenProposals
from notifications.sender import EmailRenderer, OutboxSender
from notifications.services import Mailer
from notifications.transport import Transport, create_transport
from notifications.worker import Worker
from publishing.consent_controllers import ConsentController
from publishing.controllers import feed, home, photo, privacy, projects, story
from publishing.public import PublicCache

ROOT = Path(__file__).resolve().parent


def build_worker(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    transport: Transport | None = None,
) -> Worker:
    """The outbox sender and the periodic jobs."""
    sender = OutboxSender(
        sessions=sessions,
        cipher=cipher,
        transport=transport or create_transport(settings),
        sender=settings.mail_from,
        skip_locked=not is_sqlite(settings.database_url),
        renderer=EmailRenderer(),
    )

    async def purge() -> int:
        async with sessions() as session, session.begin():
            return await purge_unverified(session, AuditLog(settings.audit_key))

    async def introductions() -> tuple[int, int]:
        mailer = Mailer.for_settings(cipher, settings)
        async with sessions() as session, session.begin():
            return await remind_and_expire(
                session, AuditLog(settings.audit_key), mailer,
                skip_locked=not is_sqlite(settings.database_url),
            )

    async def anchor() -> bool:
        async with sessions() as session:
            return await write_anchor(session, Path(settings.var_dir) / ANCHOR_FILE)

    return Worker(sender=sender, jobs=[("purge_unverified", 600.0, purge),
                                       ("introduction_reminders", 3600.0, introductions),
                                       ("audit_anchor", 600.0, anchor)])


def make_cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.data_keys, settings.index_key)


@contextlib.asynccontextmanager
async def build_worker_standalone(settings: Settings) -> AsyncIterator[Worker]:
    """`ouen worker`: the same worker with its own engine, no web application."""
    engine = create_engine(settings.database_url)
    try:
        yield build_worker(settings, session_factory(engine), make_cipher(settings))
    finally:
        await engine.dispose()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.cipher = make_cipher(settings)
        app.state.form_signer = Signer(settings.secret_key, "form-started")
        app.state.audit = AuditLog(settings.audit_key)
        app.state.submissions = SubmissionWriter(engine, app.state.audit)
        app.state.session_store = create_session_store(settings.redis_url)
        app.state.passwords = Passwords(make_hasher(fast=settings.env == "test"))
        app.state.rate_limiter = create_rate_limiter(settings.redis_url)
        # Outgoing calls (hCaptcha's siteverify): httpx on our lean transport (core/http.py).
        app.state.http = httpx.AsyncClient(follow_redirects=False, transport=StreamTransport())
        app.state.matching = MatchingIndex()
        app.state.open_proposals = OpenProposals()
        app.state.public = PublicCache()
        stop = asyncio.Event()
        task = None
        if settings.inprocess_worker:
            worker = build_worker(settings, app.state.sessions, app.state.cipher)
            task = asyncio.create_task(worker.run(stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await app.state.submissions.close()
            await app.state.http.aclose()
            await app.state.rate_limiter.close()
            await app.state.session_store.close()
            await engine.dispose()

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.filters["screened"] = functools.partial(screened, cipher=make_cipher(settings))
    env.filters["japan_time"] = japan_time
    return Litestar(
        route_handlers=[
            home,
            privacy,
            projects,
            feed,
            story,
            photo,
            healthz,
            readyz,
            ApplyController,
            CollaborateController,
            VerifyController,
            AuthController,
            DashboardController,
            CaseController,
            CollaboratorController,
            MatchController,
            ProjectController,
            StoryController,
            ConsentController,
            IntroductionController,
            CallController,
            ReportController,
            UserController,
            create_static_files_router(path="/static", directories=[ROOT / "static"]),
        ],
        dependencies={"db_session": Provide(provide_db_session)},
        lifespan=[lifespan],
        state=State({"settings": settings}),
        middleware=[request_logging, input_guard, csrf_token_guard],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="ouen_csrf",
            cookie_secure=settings.production,
            cookie_httponly=True,
            cookie_samesite="lax",
            # Published pages hold no forms; no token cookie, so shared caches may keep them.
            exclude=["/healthz", "/readyz", "^/projects"],
        ),
        before_send=[security_headers(settings)],
        exception_handlers={
            LoginRequired: to_login,
            PasswordChangeRequired: to_password,
            HTTPException: http_error,
            Exception: unhandled_error,
        },
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,
        openapi_config=None,
        debug=False,
    )


def main_app() -> Litestar:
    """Entry point for `uvicorn --factory app:main_app`."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
