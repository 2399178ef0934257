"""create_app(settings): wiring only. One of the two composition roots (the other is cli.py):
it knows every package; no package knows it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import jinja2
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import admin.reactions
import matching.reactions
import operations
import publishing.reactions
from admin.auth import LoginRequired, PasswordChangeRequired, to_login, to_password
from admin.calendar import japan_time
from admin.case_controllers import CaseController
from admin.contact import screened
from admin.controllers import DashboardController
from admin.credentials import Passwords, make_hasher
from admin.login_controllers import AccountController, AuthController
from admin.permissions import allowed
from admin.report_controllers import ReportController
from admin.rights_controllers import RightsController
from admin.sessions import create_session_store
from admin.user_controllers import UserController
from core.audit import ANCHOR_FILE, AuditLog, write_anchor
from core.context import DEPENDENCIES
from core.crypto import FieldCipher, Signer
from core.db import create_engine, is_sqlite, session_factory
from core.error_pages import DATABASE_DOWN, database_unavailable, http_error, unhandled_error
from core.health import healthz, readyz
from core.http import StreamTransport
from core.logs import configure_logging, request_logging
from core.ratelimit import create_rate_limiter
from core.security import (
    MAX_BODY_BYTES,
    cookie_guard,
    csrf_token_guard,
    head_as_get,
    input_guard,
    security_headers,
)
from core.settings import Settings, load_settings
from core.web import html_datetime
from intake.collaborator_controllers import CollaborateController
from intake.controllers import ApplyController, VerifyController
from intake.self_service_controllers import MyDataController, SelfServiceController
from intake.services import purge_unverified
from intake.writer import SubmissionWriter
from matching.collaborator_controllers import CollaboratorController
from matching.controllers import CallController, IntroductionController
from matching.match_controllers import MatchController
from matching.project_controllers import ProjectController
from matching.reminders import remind_and_expire
from matching.service import MatchingIndex, OpenProposals
from notifications.sender import EmailRenderer, OutboxSender
from notifications.services import Mailer
from notifications.transport import Transport, create_transport
from notifications.worker import Job, Worker
from publishing.consent_controllers import ConsentController
from publishing.controllers import feed, home, photo, privacy, projects, story
from publishing.public import PublicCache
from publishing.story_controllers import StoryController

ROOT = Path(__file__).resolve().parent


def install_reactions() -> None:
    """Every package's reactions to the hooks of the packages below it (core/hooks.py). The
    app, the worker and every command call this before they do anything."""
    admin.reactions.install()
    matching.reactions.install()
    publishing.reactions.install()


def make_cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.data_keys, settings.index_key)


def _in_transaction(
    sessions: async_sessionmaker[AsyncSession], run: Callable[[AsyncSession], Awaitable[Any]]
) -> Job:
    async def job() -> Any:
        async with sessions() as session, session.begin():
            return await run(session)

    return job


def scheduled_jobs(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher
) -> list[tuple[str, float, Job]]:
    """The worker's periodic jobs: (name, every so many seconds, the job), each the plain
    function its package exposes, run in a transaction of its own."""
    audit = AuditLog(settings.audit_key)
    mailer = Mailer.for_settings(cipher, settings)
    skip_locked = not is_sqlite(settings.database_url)
    anchors = Path(settings.var_dir) / ANCHOR_FILE
    return [
        ("purge_unverified", 600.0,
         _in_transaction(sessions, lambda db: purge_unverified(db, audit))),
        ("introduction_reminders", 3600.0, _in_transaction(
            sessions, lambda db: remind_and_expire(db, audit, mailer, skip_locked=skip_locked))),
        ("audit_anchor", 600.0, _in_transaction(sessions, lambda db: write_anchor(db, anchors))),
        ("retention", 86400.0, lambda: operations.run_retention(settings, sessions, cipher, audit)),
    ]


def build_worker(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    transport: Transport | None = None,
) -> Worker:
    """The outbox sender and the periodic jobs."""
    install_reactions()
    sender = OutboxSender(
        sessions=sessions,
        cipher=cipher,
        transport=transport or create_transport(settings),
        sender=settings.mail_from,
        skip_locked=not is_sqlite(settings.database_url),
        renderer=EmailRenderer.for_settings(settings),
    )
    return Worker(sender=sender, jobs=scheduled_jobs(settings, sessions, cipher))


@contextlib.asynccontextmanager
async def build_worker_standalone(settings: Settings) -> AsyncIterator[Worker]:
    """`ouen worker`: the same worker with its own engine, no web application."""
    engine = create_engine(settings.database_url)
    try:
        yield build_worker(settings, session_factory(engine), make_cipher(settings))
    finally:
        await engine.dispose()


ROUTES: list[ControllerRouterHandler] = [
    home, privacy, projects, feed, story, photo, healthz, readyz,
    ApplyController, CollaborateController, VerifyController, SelfServiceController,
    MyDataController,
    AuthController, AccountController, DashboardController, CaseController, ReportController,
    UserController, RightsController, CollaboratorController, MatchController,
    ProjectController,
    IntroductionController, CallController, StoryController, ConsentController,
]


def _templates(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.filters["screened"] = functools.partial(screened, cipher=make_cipher(settings))
    env.filters["japan_time"] = japan_time
    env.filters["html_datetime"] = html_datetime
    env.tests["allowed_to"] = allowed  # {% if staff.role is allowed_to "case:rights:read" %}
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))


Lifespan = Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]


def _lifespan(settings: Settings) -> Lifespan:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        state = app.state
        state.engine = engine
        state.sessions = session_factory(engine)
        state.cipher = make_cipher(settings)
        state.form_signer = Signer(settings.secret_key, "form-started")
        state.audit = AuditLog(settings.audit_key)
        state.submissions = SubmissionWriter(engine, state.audit)
        state.session_store = create_session_store(settings.redis_url)
        state.passwords = Passwords(make_hasher(fast=settings.env == "test"))
        state.rate_limiter = create_rate_limiter(settings.redis_url)
        # Outgoing calls (hCaptcha's siteverify): httpx on our lean transport (core/http.py).
        state.http = httpx.AsyncClient(follow_redirects=False, transport=StreamTransport())
        state.matching = MatchingIndex()
        state.open_proposals = OpenProposals()
        state.public = PublicCache()
        stop = asyncio.Event()
        task = None
        if settings.inprocess_worker:
            worker = build_worker(settings, state.sessions, state.cipher)
            task = asyncio.create_task(worker.run(stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await state.submissions.close()
            await state.http.aclose()
            await state.rate_limiter.close()
            await state.session_store.close()
            await engine.dispose()

    return lifespan


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    install_reactions()
    app = Litestar(
        route_handlers=[
            *ROUTES, create_static_files_router(path="/static", directories=[ROOT / "static"]),
        ],
        dependencies=DEPENDENCIES,
        lifespan=[_lifespan(settings)],
        state=State({"settings": settings}),
        middleware=[request_logging, input_guard, csrf_token_guard],
        template_config=_templates(settings),
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
            **{kind: database_unavailable for kind in DATABASE_DOWN},
            Exception: unhandled_error,
        },
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,
        openapi_config=None,
        debug=False,
    )
    app.asgi_handler = head_as_get(cookie_guard(app.asgi_handler, settings.production))
    return app


def main_app() -> Litestar:
    """Entry point for `uvicorn --factory app:main_app`."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
