"""The one guard of the back office: a full staff session and the route's permission."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.sessions import COOKIE, SessionStore
from core.settings import Settings
from core.web import AnyRequest


class LoginRequired(NotAuthorizedException):
    """No (complete) staff session: go to the login page."""


class PasswordChangeRequired(NotAuthorizedException):
    """A one-time password is still in use: change it before anything else."""


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
    state = connection.app.state
    store: SessionStore = state.session_store
    token = connection.cookies.get(COOKIE, "")
    async with state.sessions() as db, db.begin():
        data = await store.get(db, token) if token else None
        user = await db.get(StaffUser, data.user_id) if data else None
    if data is None or data.stage != "full" or user is None or not user.active:
        raise LoginRequired()
    if user.must_change_password and not opt.get("password_change_ok"):
        raise PasswordChangeRequired()
    if not allowed(user.role, permission):
        raise PermissionDeniedException("not allowed for this role")
    connection.state.staff = user


def current_staff(request: AnyRequest) -> StaffUser:
    user: StaffUser = request.state.staff
    return user


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
    db: AsyncSession, store: SessionStore, request: AnyRequest, user_id: int, stage: str
) -> str:
    """A new session id for a new privilege level; the old one (if any) stops working."""
    old = request.cookies.get(COOKIE)
    if old:
        await store.delete(db, old)
    return await store.create(db, user_id, stage)
