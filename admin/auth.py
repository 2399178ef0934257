"""The one guard of the back office (a full staff session and the route's permission) and
the base of every staff controller, whichever package it lives in.

A staff route declares its permission, never a role: `opt={"permission": Permission.X}`
(admin/permissions.py). `StaffController` puts the guard on every route and gives handlers
the signed-in member as `staff` and the acting `actor` (core.audit.Actor: id, organisation,
role and client address) for the audit calls."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect
from litestar.types import Guard
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.credentials import Passwords
from admin.models import StaffUser, Stage
from admin.permissions import Permission, allowed
from admin.services import staff_actor
from admin.sessions import COOKIE, SessionStore
from core.audit import Actor
from core.context import ClientIp, sessions_of, state_item
from core.settings import Settings
from core.web import AnyRequest

Staff = NamedDependency[StaffUser]
StaffActor = NamedDependency[Actor]
Sessions = NamedDependency[SessionStore]


class LoginRequired(NotAuthorizedException):
    """No (complete) staff session: go to the login page."""


class PasswordChangeRequired(NotAuthorizedException):
    """A one-time password is still in use: change it before anything else."""


def session_store_of(connection: ASGIConnection[Any, Any, Any, Any]) -> SessionStore:
    store: SessionStore = connection.app.state.session_store
    return store


async def staff_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    opt = handler.opt
    if opt.get("public"):
        return
    permission = opt.get("permission")
    if not isinstance(permission, Permission):
        # A staff route without a declared permission is a bug; refuse rather than allow.
        raise PermissionDeniedException("route declares no permission")
    token = connection.cookies.get(COOKIE, "")
    async with sessions_of(connection.app.state)() as db, db.begin():
        data = await session_store_of(connection).get(db, token) if token else None
        user = await db.get(StaffUser, data.user_id) if data else None
    if data is None or data.stage != Stage.FULL or user is None or not user.active:
        raise LoginRequired()
    if user.must_change_password and not opt.get("password_change_ok"):
        raise PasswordChangeRequired()
    if not allowed(user.role, permission):
        raise PermissionDeniedException("not allowed for this role")
    connection.state.staff = user


def provide_staff(request: AnyRequest) -> StaffUser:
    """The member the guard let in."""
    user: StaffUser = request.state.staff
    return user


def provide_actor(staff: Staff, ip: ClientIp) -> Actor:
    return staff_actor(staff, ip)


def provide_session_store(request: AnyRequest) -> SessionStore:
    return session_store_of(request)


def provide_passwords(state: State) -> Passwords:
    return state_item(state, "passwords", Passwords)


class StaffController(Controller):
    """Every staff page's base: the guard on each route; `staff`, `actor`, `sessions` (the
    session store) and `passwords` as dependencies."""

    guards: list[Guard] | None = [staff_guard]  # noqa: RUF012 - Litestar's declared shape
    dependencies = {  # noqa: RUF012
        "staff": Provide(provide_staff, sync_to_thread=False),
        "actor": Provide(provide_actor, sync_to_thread=False),
        "sessions": Provide(provide_session_store, sync_to_thread=False),
        "passwords": Provide(provide_passwords, sync_to_thread=False),
    }


def session_cookie(settings: Settings, token: str | None) -> Cookie:
    """The staff session cookie (an empty value with max_age 0 removes it)."""
    return Cookie(
        key=COOKIE, value=token or "", path="/admin", httponly=True, samesite="strict",
        secure=settings.production, max_age=None if token else 0,
    )


def to_login(_request: AnyRequest, _exc: Exception) -> Redirect:
    return Redirect(path="/admin/login", status_code=303)


def to_password(_request: AnyRequest, _exc: Exception) -> Redirect:
    return Redirect(path="/admin/password", status_code=303)


async def rotate_session(
    db: AsyncSession, store: SessionStore, request: AnyRequest, user_id: int, stage: Stage
) -> str:
    """A new session id for a new privilege level; the old one (if any) stops working."""
    old = request.cookies.get(COOKIE)
    if old:
        await store.delete(db, old)
    return await store.create(db, user_id, stage)
