"""The typed request context: what a handler needs comes in as a dependency, never as an
`app.state` lookup.

The composition root (app.py) builds these objects once, in its lifespan, and keeps them
on the application's state; the providers here hand them to handlers with their real types.
A handler asks by parameter name and annotation:

    async def page(self, db_session: DB, audit: Audit, cipher: Cipher, ip: ClientIp): ...

Packages add their own (admin: the signed-in `staff` and the acting `actor`; matching: the
engine's index) the same way, on their controllers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar, cast

import httpx
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import AuditLog
from core.crypto import FieldCipher, Signer
from core.ratelimit import RateLimiter
from core.settings import Settings
from core.web import AnyRequest, client_ip

T = TypeVar("T")

DB = NamedDependency[AsyncSession]
Audit = NamedDependency[AuditLog]
Cipher = NamedDependency[FieldCipher]
Config = NamedDependency[Settings]
Limiter = NamedDependency[RateLimiter]
ClientIp = NamedDependency[str]
Http = NamedDependency[httpx.AsyncClient]
FormSigner = NamedDependency[Signer]


def state_item(state: State, name: str, kind: type[T]) -> T:
    """`state.<name>`, checked to be a `kind` (a wiring mistake fails loudly here)."""
    value = getattr(state, name)
    if not isinstance(value, kind):
        raise TypeError(f"app.state.{name} is {type(value).__name__}, not {kind.__name__}")
    return value


def sessions_of(state: State) -> async_sessionmaker[AsyncSession]:
    return cast(async_sessionmaker[AsyncSession], state_item(state, "sessions", async_sessionmaker))


def engine_of(state: State) -> AsyncEngine:
    return state_item(state, "engine", AsyncEngine)


async def provide_db_session(state: State) -> AsyncIterator[AsyncSession]:
    """One transaction for the whole request: committed when the handler returns normally
    (whatever its status, 303 included), rolled back when it raises."""
    async with sessions_of(state)() as session, session.begin():
        yield session


def provide_audit(state: State) -> AuditLog:
    return state_item(state, "audit", AuditLog)


def provide_cipher(state: State) -> FieldCipher:
    return state_item(state, "cipher", FieldCipher)


def provide_settings(state: State) -> Settings:
    return state_item(state, "settings", Settings)


def provide_limiter(state: State) -> RateLimiter:
    return cast(RateLimiter, state.rate_limiter)


def provide_http(state: State) -> httpx.AsyncClient:
    return state_item(state, "http", httpx.AsyncClient)


def provide_form_signer(state: State) -> Signer:
    return state_item(state, "form_signer", Signer)


def provide_client_ip(request: AnyRequest, settings: Config) -> str:
    """The client's address (X-Forwarded-For only from OUEN_TRUSTED_PROXIES)."""
    return client_ip(request, settings.trusted_proxies)


DEPENDENCIES: dict[str, Any] = {
    "db_session": Provide(provide_db_session),
    "audit": Provide(provide_audit, sync_to_thread=False),
    "cipher": Provide(provide_cipher, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "limiter": Provide(provide_limiter, sync_to_thread=False),
    "http": Provide(provide_http, sync_to_thread=False),
    "form_signer": Provide(provide_form_signer, sync_to_thread=False),
    "ip": Provide(provide_client_ip, sync_to_thread=False),
}
