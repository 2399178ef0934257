"""Staff accounts, for admins: create (one-time password shown once), role, active, TOTP."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import current_staff, staff_guard
from admin.models import StaffUser
from admin.permissions import ROLES, Permission
from admin.services import UserError, create_user, update_user
from core import i18n
from core.web import MAX_ID, AnyRequest, client_ip, form_fields, language_of, render, settings_of

DB = NamedDependency[AsyncSession]
MANAGE = {"permission": Permission.USER_MANAGE}


async def _users_page(
    request: AnyRequest, db: AsyncSession, status: int = 200, error: str | None = None,
    created: tuple[str, str] | None = None,
) -> Template:
    users = (await db.exec(select(StaffUser).order_by(col(StaffUser.id)))).all()
    return render(request, "admin/users.html", status=status, staff=current_staff(request),
                  users=users, roles=[(r, messages.ROLE_LABELS[r]) for r in ROLES],
                  error=error, created=created)


class UserController(Controller):
    path = "/admin/users"
    guards = [staff_guard]  # noqa: RUF012

    @get("/", name="admin.users", opt=MANAGE)
    async def index(self, request: AnyRequest, db_session: DB) -> Template:
        return await _users_page(request, db_session)

    @post("/", name="admin.users.create", opt=MANAGE)
    async def create(self, request: AnyRequest, db_session: DB) -> Template:
        form = await form_fields(request)
        staff = current_staff(request)
        try:
            user, secret = await create_user(
                db_session, request.app.state.passwords, request.app.state.audit,
                email=form.get("email", ""), role=form.get("role", ""),
                display_name=form.get("display_name", "").strip()[:100],
                organisation=form.get("organisation", "").strip()[:100],
                actor=f"staff:{staff.id}", actor_organisation=staff.organisation,
                ip=client_ip(request, settings_of(request).trusted_proxies),
            )
        except UserError:
            _ = i18n.make_gettext(language_of(request))
            invalid = messages.MESSAGES["user_invalid"]
            return await _users_page(request, db_session, 400, _(invalid))
        return await _users_page(request, db_session, created=(user.email, secret))

    @post("/{user_id:int}", name="admin.users.update", opt=MANAGE)
    async def update(
        self, request: AnyRequest, user_id: FromPath[int], db_session: DB
    ) -> Template | Redirect:
        target = await db_session.get(StaffUser, user_id) if 1 <= user_id <= MAX_ID else None
        if target is None:
            return Redirect(path="/admin/users", status_code=303)
        form = await form_fields(request)
        problem, changed = await update_user(
            db_session, request.app.state.audit, target, role=form.get("role", ""),
            active=form.get("active") == "1", totp_required=form.get("totp_required") == "1",
            actor=current_staff(request),
            ip=client_ip(request, settings_of(request).trusted_proxies),
        )
        if problem:
            _ = i18n.make_gettext(language_of(request))
            key = messages.MESSAGES[problem]
            return await _users_page(request, db_session, 400, _(key))
        if changed and target.id is not None:
            # A privilege change takes effect at once: that user signs in again.
            await request.app.state.session_store.delete_for_user(db_session, target.id)
        return Redirect(path="/admin/users", status_code=303)
